// SPDX-License-Identifier: Apache-2.0
// Secret<N>: fixed-size key material that is wiped on every path out of its lifetime.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace mw::base {

// Overwrites memory with zeros in a way the optimiser may not remove.
void secure_wipe(void* p, size_t n);

template <size_t N>
class Secret {
 public:
  Secret() { bytes_.fill(0); }
  explicit Secret(std::span<const uint8_t, N> b) { std::copy(b.begin(), b.end(), bytes_.begin()); }
  Secret(const Secret&) = default;
  Secret& operator=(const Secret&) = default;
  ~Secret() { wipe(); }

  static constexpr size_t size() { return N; }
  uint8_t* data() { return bytes_.data(); }
  const uint8_t* data() const { return bytes_.data(); }
  std::span<uint8_t, N> span() { return std::span<uint8_t, N>(bytes_); }
  std::span<const uint8_t, N> span() const { return std::span<const uint8_t, N>(bytes_); }
  uint8_t& operator[](size_t i) { return bytes_[i]; }
  uint8_t operator[](size_t i) const { return bytes_[i]; }

  void wipe() { secure_wipe(bytes_.data(), N); }
  bool is_zero() const {
    uint8_t acc = 0;
    for (uint8_t b : bytes_) acc |= b;
    return acc == 0;
  }

 private:
  std::array<uint8_t, N> bytes_;
};

}  // namespace mw::base
