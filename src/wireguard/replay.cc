// SPDX-License-Identifier: Apache-2.0
// The RFC 6479 replay window: slide by clearing blocks, then test and set one bit.
#include "wireguard/replay.h"

#include <algorithm>

#include "wireguard/constants.h"

namespace mw::wg {
namespace {

constexpr unsigned kBlockShift = 6;  // log2(kBlockBits)
constexpr uint64_t kBitMask = ReplayWindow::kBlockBits - 1;
constexpr uint64_t kRingMask = ReplayWindow::kRingBlocks - 1;
static_assert((ReplayWindow::kRingBlocks & kRingMask) == 0, "ring size must be a power of two");
static_assert(ReplayWindow::kWindowSize >= 8128);

}  // namespace

bool ReplayWindow::accept(uint64_t counter) {
  if (counter >= kRejectAfterMessages) return false;
  const uint64_t block = counter >> kBlockShift;
  if (counter > highest_) {
    // Clear every block between the old top block and the new one; past a full ring, clearing
    // the whole ring once is enough.
    const uint64_t top_block = highest_ >> kBlockShift;
    const uint64_t advance = std::min<uint64_t>(block - top_block, kRingBlocks);
    for (uint64_t i = 1; i <= advance; ++i) ring_[(top_block + i) & kRingMask] = 0;
    highest_ = counter;
  } else if (highest_ - counter > kWindowSize) {
    return false;
  }
  uint64_t& word = ring_[block & kRingMask];
  const uint64_t bit = uint64_t{1} << (counter & kBitMask);
  if (word & bit) return false;
  word |= bit;
  return true;
}

void ReplayWindow::reset() {
  highest_ = 0;
  ring_.fill(0);
}

}  // namespace mw::wg
