// SPDX-License-Identifier: Apache-2.0
// ReplayWindow: the receive-side anti-replay filter for transport counters (RFC 6479 ring).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace mw::wg {

// A sliding bitmap over the most recent counters, laid out as RFC 6479 describes: a ring of
// 64-bit blocks with one redundant block, so that sliding forward clears whole blocks and never
// shifts bits. 128 blocks give a window of 127 * 64 = 8128 counters, the size the Linux kernel
// and wireguard-go use.
//
// Not thread-safe: one keypair's receive path owns it (or the caller holds a lock).
class ReplayWindow {
 public:
  static constexpr size_t kRingBlocks = 128;
  static constexpr size_t kBlockBits = 64;
  // The highest counter seen minus kWindowSize is the oldest counter still accepted.
  static constexpr uint64_t kWindowSize = (kRingBlocks - 1) * kBlockBits;

  // True, and the counter is recorded, iff it was not seen before, is at most kWindowSize below
  // the highest counter seen, and is below kRejectAfterMessages.
  bool accept(uint64_t counter);
  // Forgets every counter, as for a fresh keypair.
  void reset();

 private:
  uint64_t highest_ = 0;  // highest counter accepted so far (0 before the first)
  std::array<uint64_t, kRingBlocks> ring_{};
};

}  // namespace mw::wg
