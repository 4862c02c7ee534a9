// SPDX-License-Identifier: Apache-2.0
// IpAddress (IPv4 or IPv6), Endpoint (address and UDP port) and IpPrefix, with text forms.
// Pure values: no socket headers; os/ converts them to and from sockaddr.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mw::base {

class IpAddress {
 public:
  enum class Family : uint8_t { kNone = 0, kV4 = 4, kV6 = 6 };

  IpAddress() = default;
  static IpAddress v4(std::array<uint8_t, 4> b);
  static IpAddress v4(uint32_t host_order);
  static IpAddress v6(std::array<uint8_t, 16> b);
  // "10.0.0.1" or "fd00::1" (no brackets, no zone); nullopt otherwise.
  static std::optional<IpAddress> parse(std::string_view text);

  Family family() const { return family_; }
  bool is_v4() const { return family_ == Family::kV4; }
  bool is_v6() const { return family_ == Family::kV6; }
  bool empty() const { return family_ == Family::kNone; }
  // 4 bytes for IPv4, 16 for IPv6, in network order.
  size_t length() const { return is_v4() ? 4 : is_v6() ? 16 : 0; }
  const uint8_t* data() const { return bytes_.data(); }
  uint32_t v4_host_order() const;
  std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;

 private:
  Family family_ = Family::kNone;
  std::array<uint8_t, 16> bytes_{};  // IPv4 uses the first 4 bytes; the rest stay zero
};

struct Endpoint {
  IpAddress address;
  uint16_t port = 0;

  // "1.2.3.4:51820" or "[fd00::1]:51820"; nullopt otherwise (including port 0 ... 65535 range).
  static std::optional<Endpoint> parse(std::string_view text);
  std::string to_string() const;
  bool empty() const { return address.empty(); }
  auto operator<=>(const Endpoint&) const = default;
};

struct IpPrefix {
  IpAddress address;  // host bits are zero (masked on construction)
  uint8_t length = 0;

  // Masks the host bits ("maskself"); nullopt when length exceeds the family's width.
  static std::optional<IpPrefix> make(const IpAddress& address, uint8_t length);
  // "10.0.0.0/8", "fd00::/64"; a bare address means a host prefix (/32 or /128).
  static std::optional<IpPrefix> parse(std::string_view text);
  bool contains(const IpAddress& a) const;
  std::string to_string() const;
  auto operator<=>(const IpPrefix&) const = default;
};

}  // namespace mw::base
