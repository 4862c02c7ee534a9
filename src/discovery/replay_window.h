// SPDX-License-Identifier: Apache-2.0
// ReplayWindow: per-member anti-replay filter over the 64 most recent datagram counters.
#pragma once

#include <cstdint>

namespace mw::swim {

// A sender's counters strictly increase (docs/mesh.md §1), but datagrams may be reordered: a
// counter is accepted once, if it is newer than the highest seen or one of the 63 below it that
// has not been seen. `floor` rejects everything at or below it (a forgotten member's last
// counter, so that its old datagrams cannot be replayed after it is re-learned). Counter 0 is
// never valid.
class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 64;

  ReplayWindow() = default;
  explicit ReplayWindow(uint64_t floor) : highest_(floor), bits_(~uint64_t{0}) {}

  // Would `counter` be accepted? Does not record it.
  bool fresh(uint64_t counter) const;
  // Records `counter` if fresh; true when it was.
  bool accept(uint64_t counter);
  // The highest counter accepted (or the floor).
  uint64_t highest() const { return highest_; }

 private:
  uint64_t highest_ = 0;
  uint64_t bits_ = 0;  // bit i: highest_ - i was seen
};

}  // namespace mw::swim
