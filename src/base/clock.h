// SPDX-License-Identifier: Apache-2.0
// Clock: the one seam through which the composition root reads time (cores are handed `now`).
#pragma once

#include "base/time.h"

namespace mw::base {

// Thread-safe source of the current time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant now() const = 0;    // monotonic
  virtual WallTime wall() const = 0;  // realtime
};

// CLOCK_MONOTONIC and CLOCK_REALTIME.
class SystemClock final : public Clock {
 public:
  Instant now() const override;
  WallTime wall() const override;
  static SystemClock& instance();
};

}  // namespace mw::base
