// SPDX-License-Identifier: Apache-2.0
// FakeClock: a Clock that moves only when a test advances it.
#pragma once

#include <atomic>

#include "base/clock.h"

namespace mw::base::testing {

class FakeClock final : public Clock {
 public:
  // Starts at an arbitrary non-zero instant so that Instant{} stays "never".
  explicit FakeClock(Instant start = Instant::from_nanos(1'000'000'000'000),
                     WallTime wall_start = WallTime{1'700'000'000'000'000'000})
      : mono_(start.to_nanos()), wall_offset_(wall_start.unix_nanos - start.to_nanos()) {}

  Instant now() const override { return Instant::from_nanos(mono_.load()); }
  WallTime wall() const override { return WallTime{mono_.load() + wall_offset_}; }
  void advance(Duration d) { mono_ += d.to_nanos(); }
  void set(Instant t) { mono_ = t.to_nanos(); }

 private:
  std::atomic<int64_t> mono_;
  int64_t wall_offset_;
};

}  // namespace mw::base::testing
