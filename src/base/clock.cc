// SPDX-License-Identifier: Apache-2.0
// SystemClock over std::chrono's steady and system clocks.
#include "base/clock.h"

#include <chrono>

namespace mw::base {

Instant SystemClock::now() const {
  auto t = std::chrono::steady_clock::now().time_since_epoch();
  return Instant::from_nanos(std::chrono::duration_cast<std::chrono::nanoseconds>(t).count());
}

WallTime SystemClock::wall() const {
  auto t = std::chrono::system_clock::now().time_since_epoch();
  return WallTime{std::chrono::duration_cast<std::chrono::nanoseconds>(t).count()};
}

SystemClock& SystemClock::instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace mw::base
