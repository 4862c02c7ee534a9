// SPDX-License-Identifier: Apache-2.0
// The 64-counter sliding replay window of mesh datagrams (docs/mesh.md §1).
#include "discovery/replay_window.h"

namespace mw::swim {

bool ReplayWindow::fresh(uint64_t counter) const {
  if (counter == 0) return false;
  if (counter > highest_) return true;
  uint64_t age = highest_ - counter;
  if (age >= kSize) return false;
  return (bits_ >> age & 1) == 0;
}

bool ReplayWindow::accept(uint64_t counter) {
  if (!fresh(counter)) return false;
  if (counter > highest_) {
    uint64_t shift = counter - highest_;
    bits_ = shift >= kSize ? 0 : bits_ << shift;
    highest_ = counter;
    bits_ |= 1;
  } else {
    bits_ |= uint64_t{1} << (highest_ - counter);
  }
  return true;
}

}  // namespace mw::swim
