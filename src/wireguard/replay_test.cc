// SPDX-License-Identifier: Apache-2.0
// Tests for ReplayWindow: the kernel's counter selftest script and a differential test against
// a naive set-based model.
#include "wireguard/replay.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "wireguard/constants.h"

namespace mw::wg {
namespace {

constexpr uint64_t kW = ReplayWindow::kWindowSize;

// Unoptimised (sanitizer) builds run a tenth of the random operations.
#ifdef NDEBUG
constexpr int kRandomScale = 1;
#else
constexpr int kRandomScale = 10;
#endif

TEST(ReplayWindow, WindowMatchesTheReferences) {
  EXPECT_EQ(kW, 8128u);
  EXPECT_EQ(kRejectAfterMessages, 0xFFFFFFFFFFFFDFFFull);
}

// Drives one window through `counter -> expected` steps; every mismatch names its step number.
class Script {
 public:
  void t(uint64_t counter, bool expected) {
    ++step_;
    EXPECT_EQ(window_.accept(counter), expected) << "step " << step_ << " counter " << counter;
  }
  void init() { window_.reset(); }
  int steps() const { return step_; }

 private:
  ReplayWindow window_;
  int step_ = 0;
};

// The 34 scripted cases of the kernel's drivers/net/wireguard/selftest/counter.c, with
// T_LIM = window + 1 and REJECT_AFTER_MESSAGES as ours.
TEST(ReplayWindow, KernelScript) {
  constexpr uint64_t kLim = kW + 1;
  constexpr uint64_t kReject = kRejectAfterMessages;
  Script s;
  s.t(0, true);                       //  1
  s.t(1, true);                       //  2
  s.t(1, false);                      //  3
  s.t(9, true);                       //  4
  s.t(8, true);                       //  5
  s.t(7, true);                       //  6
  s.t(7, false);                      //  7
  s.t(kLim, true);                    //  8
  s.t(kLim - 1, true);                //  9
  s.t(kLim - 1, false);               // 10
  s.t(kLim - 2, true);                // 11
  s.t(2, true);                       // 12
  s.t(2, false);                      // 13
  s.t(kLim + 16, true);               // 14
  s.t(3, false);                      // 15
  s.t(kLim + 16, false);              // 16
  s.t(kLim * 4, true);                // 17
  s.t(kLim * 4 - (kLim - 1), true);   // 18
  s.t(10, false);                     // 19
  s.t(kLim * 4 - kLim, false);        // 20
  s.t(kLim * 4 - (kLim + 1), false);  // 21
  s.t(kLim * 4 - (kLim - 2), true);   // 22
  s.t(kLim * 4 + 1 - kLim, false);    // 23
  s.t(0, false);                      // 24
  s.t(kReject, false);                // 25
  s.t(kReject - 1, true);             // 26
  s.t(kReject, false);                // 27
  s.t(kReject - 1, false);            // 28
  s.t(kReject - 2, true);             // 29
  s.t(kReject + 1, false);            // 30
  s.t(kReject + 2, false);            // 31
  s.t(kReject - 2, false);            // 32
  s.t(kReject - 3, true);             // 33
  s.t(0, false);                      // 34
  EXPECT_EQ(s.steps(), 34);
}

// The kernel's six bulk sequences, which pin the window's exact width.
TEST(ReplayWindow, KernelBulkSequences) {
  Script s;

  // The whole window ascending, then 0 (exactly kW below the top) once.
  s.init();
  for (uint64_t i = 1; i <= kW; ++i) s.t(i, true);
  s.t(0, true);
  s.t(0, false);

  // Ascending from 2, then 1 (exactly kW below) is in and 0 (kW + 1 below) is out.
  s.init();
  for (uint64_t i = 2; i <= kW + 1; ++i) s.t(i, true);
  s.t(1, true);
  s.t(0, false);

  // The whole window descending, down to 0.
  s.init();
  for (uint64_t i = kW + 1; i-- > 0;) s.t(i, true);

  // Descending from kW + 1 down to 1; 0 is then kW + 1 below the top.
  s.init();
  for (uint64_t i = kW + 2; i-- > 1;) s.t(i, true);
  s.t(0, false);

  // Descending from kW to 1, then kW + 1 moves the top so that 0 falls out.
  s.init();
  for (uint64_t i = kW + 1; i-- > 1;) s.t(i, true);
  s.t(kW + 1, true);
  s.t(0, false);

  // Descending from kW to 1, then 0 while it is still inside, then kW + 1.
  s.init();
  for (uint64_t i = kW + 1; i-- > 1;) s.t(i, true);
  s.t(0, true);
  s.t(kW + 1, true);

  EXPECT_EQ(s.steps(), int(6 * kW + 11));
}

TEST(ReplayWindow, ResetForgetsEverything) {
  ReplayWindow w;
  EXPECT_TRUE(w.accept(100'000));
  EXPECT_FALSE(w.accept(100'000));
  EXPECT_FALSE(w.accept(5));
  w.reset();
  EXPECT_TRUE(w.accept(5));
  EXPECT_TRUE(w.accept(100'000));
}

TEST(ReplayWindow, JumpOfExactlyOneRingClearsStaleBits) {
  // A jump of a whole ring (128 blocks) lands on the same ring slot as the old top: its stale
  // bits must be gone.
  ReplayWindow w;
  EXPECT_TRUE(w.accept(70));
  const uint64_t ring_bits = ReplayWindow::kRingBlocks * ReplayWindow::kBlockBits;
  EXPECT_TRUE(w.accept(70 + ring_bits));
  EXPECT_FALSE(w.accept(70 + ring_bits));
  EXPECT_TRUE(w.accept(70 + ring_bits - kW));
  EXPECT_FALSE(w.accept(70 + ring_bits - kW - 1));
}

// The same rule written the obvious way: every accepted counter in a set, plus the highest.
class NaiveWindow {
 public:
  bool accept(uint64_t c) {
    if (c >= kRejectAfterMessages) return false;
    if (highest_ && c <= *highest_ && *highest_ - c > kW) return false;
    if (!seen_.insert(c).second) return false;
    if (!highest_ || c > *highest_) highest_ = c;
    if (seen_.size() > 4 * kW) seen_.erase(seen_.begin(), seen_.lower_bound(*highest_ - kW));
    return true;
  }
  void reset() {
    seen_.clear();
    highest_.reset();
  }

 private:
  std::set<uint64_t> seen_;
  std::optional<uint64_t> highest_;
};

// Random traffic against the naive model: in-order runs with jitter, reordering up to 2W back,
// duplicates of recent counters, forward jumps (some to the reject limit) and resets.
TEST(ReplayWindow, DifferentialAgainstNaiveModel) {
  constexpr int kOps = 10'000'000 / kRandomScale;
  std::mt19937_64 rng(0x6479);
  ReplayWindow fast;
  NaiveWindow slow;
  uint64_t cursor = 0;
  std::vector<uint64_t> recent;
  int accepted = 0;
  auto start = std::chrono::steady_clock::now();

  auto uniform = [&](uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
  };
  int ops = 0;
  while (ops < kOps) {
    const uint64_t mode = uniform(0, 99);
    const int burst = int(uniform(1, 64));
    for (int i = 0; i < burst && ops < kOps; ++i, ++ops) {
      uint64_t c;
      if (mode < 55) {  // mostly in order, small local reordering
        cursor += 1;
        c = cursor + uniform(0, 8);
        c -= std::min<uint64_t>(c, 4);
      } else if (mode < 75) {  // reordered up to 2W behind the cursor
        c = cursor - std::min<uint64_t>(cursor, uniform(0, 2 * kW));
      } else if (mode < 88) {  // duplicates of recent counters
        c = recent.empty() ? cursor : recent[uniform(0, recent.size() - 1)];
      } else if (mode < 96) {  // window-sized and bigger jumps
        cursor += uniform(kW - 70, 3 * kW);
        c = cursor;
      } else if (mode < 99) {  // boundaries: exactly W and W + 1 behind, and the top
        const uint64_t back = uniform(kW - 1, kW + 1);
        c = cursor >= back ? cursor - back : cursor;
      } else {  // near the reject limit, then start over
        c = kRejectAfterMessages - uniform(0, 3);
        c += uniform(0, 3);
        if (i == burst - 1) {
          fast.reset();
          slow.reset();
          cursor = uniform(0, 1 << 20);
          recent.clear();
          continue;
        }
      }
      const bool want = slow.accept(c);
      const bool got = fast.accept(c);
      ASSERT_EQ(got, want) << "op " << ops << " counter " << c;
      accepted += got;
      if (recent.size() < 4096) {
        recent.push_back(c);
      } else {
        recent[uniform(0, recent.size() - 1)] = c;
      }
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("replay differential: %d counters, %d accepted, 0 divergences, %lld ms\n", kOps,
              accepted, static_cast<long long>(ms));
  EXPECT_GT(accepted, kOps / 4);
  EXPECT_LT(accepted, kOps);
}

}  // namespace
}  // namespace mw::wg
