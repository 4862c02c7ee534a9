// SPDX-License-Identifier: Apache-2.0
// Awareness: Lifeguard's local health multiplier (memberlist awareness.go).
#pragma once

#include "base/time.h"

namespace mw::swim {

// A score in [0, max-1]: missed acks and nacks raise it, successful probes lower it. A node that
// is itself slow (overloaded, losing packets) then stretches its probe interval and timeout
// instead of accusing healthy members.
class Awareness {
 public:
  explicit Awareness(int max) : max_(max < 1 ? 1 : max) {}
  void apply_delta(int delta);
  int score() const { return score_; }
  // timeout * (score + 1).
  base::Duration scale(base::Duration timeout) const { return timeout * (score_ + 1); }

 private:
  int max_;
  int score_ = 0;
};

}  // namespace mw::swim
