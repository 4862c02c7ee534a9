// SPDX-License-Identifier: Apache-2.0
// Duration, Instant (monotonic) and WallTime (Unix epoch): units live in types, not in names.
#pragma once

#include <compare>
#include <cstdint>

namespace mw::base {

// A signed span of time with nanosecond resolution.
class Duration {
 public:
  constexpr Duration() = default;
  static constexpr Duration nanos(int64_t n) { return Duration(n); }
  static constexpr Duration micros(int64_t n) { return Duration(n * 1000); }
  static constexpr Duration millis(int64_t n) { return Duration(n * 1000'000); }
  static constexpr Duration seconds(int64_t n) { return Duration(n * 1000'000'000); }
  static constexpr Duration zero() { return Duration(0); }
  static constexpr Duration max() { return Duration(INT64_MAX); }

  constexpr int64_t to_nanos() const { return ns_; }
  constexpr int64_t to_micros() const { return ns_ / 1000; }
  constexpr int64_t to_millis() const { return ns_ / 1000'000; }
  constexpr double to_seconds_f() const { return static_cast<double>(ns_) / 1e9; }

  constexpr Duration operator+(Duration o) const { return Duration(ns_ + o.ns_); }
  constexpr Duration operator-(Duration o) const { return Duration(ns_ - o.ns_); }
  constexpr Duration operator*(int64_t k) const { return Duration(ns_ * k); }
  constexpr Duration operator/(int64_t k) const { return Duration(ns_ / k); }
  constexpr Duration& operator+=(Duration o) {
    ns_ += o.ns_;
    return *this;
  }
  constexpr Duration& operator-=(Duration o) {
    ns_ -= o.ns_;
    return *this;
  }
  constexpr auto operator<=>(const Duration&) const = default;

 private:
  constexpr explicit Duration(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// A point on a monotonic clock. Instant{} is the clock's origin, used as "never" by callers
// that need a sentinel; real clocks start well after it.
class Instant {
 public:
  constexpr Instant() = default;
  static constexpr Instant from_nanos(int64_t ns) { return Instant(ns); }
  static constexpr Instant max() { return Instant(INT64_MAX); }
  constexpr int64_t to_nanos() const { return ns_; }

  constexpr Instant operator+(Duration d) const { return Instant(ns_ + d.to_nanos()); }
  constexpr Instant operator-(Duration d) const { return Instant(ns_ - d.to_nanos()); }
  constexpr Duration operator-(Instant o) const { return Duration::nanos(ns_ - o.ns_); }
  constexpr Instant& operator+=(Duration d) {
    ns_ += d.to_nanos();
    return *this;
  }
  constexpr auto operator<=>(const Instant&) const = default;

 private:
  constexpr explicit Instant(int64_t ns) : ns_(ns) {}
  int64_t ns_ = 0;
};

// Nanoseconds since the Unix epoch (UTC), for protocol timestamps such as TAI64N.
struct WallTime {
  int64_t unix_nanos = 0;
  constexpr auto operator<=>(const WallTime&) const = default;
};

}  // namespace mw::base
