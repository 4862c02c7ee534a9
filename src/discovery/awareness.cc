// SPDX-License-Identifier: Apache-2.0
// The clamped Lifeguard local health score.
#include "discovery/awareness.h"

namespace mw::swim {

void Awareness::apply_delta(int delta) {
  score_ += delta;
  if (score_ < 0) score_ = 0;
  if (score_ > max_ - 1) score_ = max_ - 1;
}

}  // namespace mw::swim
