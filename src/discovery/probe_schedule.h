// SPDX-License-Identifier: Apache-2.0
// ProbeSchedule: SWIM's round-robin probe order over a member list that is reshuffled on every
// pass, so each member is probed once per pass in an unpredictable order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "crypto/keys.h"

namespace mw::swim {

class ProbeSchedule {
 public:
  // Inserts a new member at a random position of the remaining pass (memberlist does the same,
  // so new members are probed soon without starving others).
  void add(const crypto::PublicKey& id, uint64_t random);
  void remove(const crypto::PublicKey& id);
  // The next member for which `eligible` holds, reshuffling (with `rng`) at the end of a pass;
  // nullopt when no member is eligible.
  std::optional<crypto::PublicKey> next(
      const std::function<bool(const crypto::PublicKey&)>& eligible,
      const std::function<uint64_t()>& rng);
  size_t size() const { return order_.size(); }

 private:
  std::vector<crypto::PublicKey> order_;
  size_t index_ = 0;
};

}  // namespace mw::swim
