// SPDX-License-Identifier: Apache-2.0
// The shuffled round-robin order in which members are probed (SWIM §4.3).
#include "discovery/probe_schedule.h"

#include <algorithm>

namespace mw::swim {

void ProbeSchedule::add(const crypto::PublicKey& id, uint64_t random) {
  if (std::find(order_.begin(), order_.end(), id) != order_.end()) return;
  size_t remaining = order_.size() - std::min(index_, order_.size());
  size_t at = index_ + static_cast<size_t>(random % (remaining + 1));
  order_.insert(order_.begin() + static_cast<std::ptrdiff_t>(std::min(at, order_.size())), id);
}

void ProbeSchedule::remove(const crypto::PublicKey& id) {
  auto it = std::find(order_.begin(), order_.end(), id);
  if (it == order_.end()) return;
  size_t pos = static_cast<size_t>(it - order_.begin());
  order_.erase(it);
  if (pos < index_) --index_;
}

std::optional<crypto::PublicKey> ProbeSchedule::next(
    const std::function<bool(const crypto::PublicKey&)>& eligible,
    const std::function<uint64_t()>& rng) {
  for (size_t tries = 0; tries <= order_.size() && !order_.empty(); ++tries) {
    if (index_ >= order_.size()) {
      for (size_t i = order_.size() - 1; i > 0; --i) {
        std::swap(order_[i], order_[static_cast<size_t>(rng() % (i + 1))]);
      }
      index_ = 0;
    }
    const crypto::PublicKey& id = order_[index_++];
    if (eligible(id)) return id;
  }
  return std::nullopt;
}

}  // namespace mw::swim
