// SPDX-License-Identifier: Apache-2.0
// Text parsing and formatting of IP addresses, endpoints and prefixes (RFC 4291 §2.2, RFC 5952).
#include "base/ip_address.h"

#include <charconv>

#include <fmt/format.h>

namespace mw::base {
namespace {

std::optional<uint32_t> parse_uint(std::string_view s, uint32_t max, int base = 10) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

std::optional<std::array<uint8_t, 4>> parse_v4(std::string_view s) {
  std::array<uint8_t, 4> b{};
  for (int i = 0; i < 4; ++i) {
    size_t dot = i < 3 ? s.find('.') : s.size();
    if (dot == std::string_view::npos) return std::nullopt;
    std::string_view part = s.substr(0, dot);
    if (part.size() > 1 && part[0] == '0') return std::nullopt;  // no octal-looking octets
    if (part.size() > 3) return std::nullopt;
    auto v = parse_uint(part, 255);
    if (!v) return std::nullopt;
    b[i] = uint8_t(*v);
    s = i < 3 ? s.substr(dot + 1) : std::string_view();
  }
  return b;
}

std::optional<std::array<uint8_t, 16>> parse_v6(std::string_view s) {
  std::array<uint8_t, 16> b{};
  uint16_t groups[8] = {};
  int count = 0;
  int gap = -1;  // index where "::" stands
  if (s.size() < 2 || s.size() > 45) return std::nullopt;
  size_t i = 0;
  if (s.substr(0, 2) == "::") {
    gap = 0;
    i = 2;
    if (i == s.size()) return b;
  } else if (s[0] == ':') {
    return std::nullopt;
  }
  while (i < s.size()) {
    size_t end = s.find(':', i);
    std::string_view part = s.substr(i, end == std::string_view::npos ? s.npos : end - i);
    if (part.find('.') != std::string_view::npos) {
      // Embedded IPv4 in the last 32 bits.
      if (end != std::string_view::npos || count > 6) return std::nullopt;
      auto v4 = parse_v4(part);
      if (!v4) return std::nullopt;
      groups[count++] = uint16_t((*v4)[0] << 8 | (*v4)[1]);
      groups[count++] = uint16_t((*v4)[2] << 8 | (*v4)[3]);
      i = s.size();
      break;
    }
    if (part.empty() || part.size() > 4 || count >= 8) return std::nullopt;
    auto v = parse_uint(part, 0xffff, 16);
    if (!v) return std::nullopt;
    groups[count++] = uint16_t(*v);
    if (end == std::string_view::npos) {
      i = s.size();
      break;
    }
    i = end + 1;
    if (i < s.size() && s[i] == ':') {
      if (gap >= 0) return std::nullopt;  // two "::"
      gap = count;
      ++i;
    } else if (i == s.size()) {
      return std::nullopt;  // trailing single ':'
    }
  }
  if (gap < 0 && count != 8) return std::nullopt;
  if (gap >= 0 && count > 7) return std::nullopt;
  uint16_t full[8] = {};
  if (gap < 0) {
    std::copy(groups, groups + 8, full);
  } else {
    int tail = count - gap;
    std::copy(groups, groups + gap, full);
    std::copy(groups + gap, groups + count, full + 8 - tail);
  }
  for (int g = 0; g < 8; ++g) {
    b[2 * g] = uint8_t(full[g] >> 8);
    b[2 * g + 1] = uint8_t(full[g]);
  }
  return b;
}

}  // namespace

IpAddress IpAddress::v4(std::array<uint8_t, 4> b) {
  IpAddress a;
  a.family_ = Family::kV4;
  std::copy(b.begin(), b.end(), a.bytes_.begin());
  return a;
}

IpAddress IpAddress::v4(uint32_t h) {
  return v4({uint8_t(h >> 24), uint8_t(h >> 16), uint8_t(h >> 8), uint8_t(h)});
}

IpAddress IpAddress::v6(std::array<uint8_t, 16> b) {
  IpAddress a;
  a.family_ = Family::kV6;
  a.bytes_ = b;
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.find(':') != std::string_view::npos) {
    auto b = parse_v6(text);
    if (!b) return std::nullopt;
    return v6(*b);
  }
  auto b = parse_v4(text);
  if (!b) return std::nullopt;
  return v4(*b);
}

uint32_t IpAddress::v4_host_order() const {
  return uint32_t(bytes_[0]) << 24 | uint32_t(bytes_[1]) << 16 | uint32_t(bytes_[2]) << 8 |
         bytes_[3];
}

std::string IpAddress::to_string() const {
  if (is_v4()) return fmt::format("{}.{}.{}.{}", bytes_[0], bytes_[1], bytes_[2], bytes_[3]);
  if (!is_v6()) return "";
  uint16_t g[8];
  for (int i = 0; i < 8; ++i) g[i] = uint16_t(bytes_[2 * i] << 8 | bytes_[2 * i + 1]);
  // RFC 5952: compress the longest run (>= 2) of zero groups, the first one on a tie.
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (g[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && g[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::string out;
  for (int i = 0; i < 8; ++i) {
    if (i == best) {
      out += "::";
      i += best_len - 1;
      continue;
    }
    if (!out.empty() && out.back() != ':') out += ':';
    out += fmt::format("{:x}", g[i]);
  }
  return out;
}

std::optional<Endpoint> Endpoint::parse(std::string_view text) {
  std::string_view host, port;
  if (!text.empty() && text[0] == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
    auto a = IpAddress::parse(host);
    if (!a || !a->is_v6()) return std::nullopt;
  } else {
    size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // v6 needs brackets
  }
  auto a = IpAddress::parse(host);
  auto p = parse_uint(port, 65535);
  if (!a || !p) return std::nullopt;
  return Endpoint{*a, uint16_t(*p)};
}

std::string Endpoint::to_string() const {
  if (address.is_v6()) return fmt::format("[{}]:{}", address.to_string(), port);
  return fmt::format("{}:{}", address.to_string(), port);
}

std::optional<IpPrefix> IpPrefix::make(const IpAddress& address, uint8_t length) {
  size_t bits = address.length() * 8;
  if (address.empty() || length > bits) return std::nullopt;
  std::array<uint8_t, 16> b{};
  std::copy(address.data(), address.data() + address.length(), b.begin());
  for (size_t i = 0; i < address.length(); ++i) {
    size_t bit = i * 8;
    if (bit >= length) {
      b[i] = 0;
    } else if (bit + 8 > length) {
      b[i] &= uint8_t(0xff << (8 - (length - bit)));
    }
  }
  IpPrefix p;
  p.address = address.is_v4() ? IpAddress::v4({b[0], b[1], b[2], b[3]}) : IpAddress::v6(b);
  p.length = length;
  return p;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  size_t slash = text.find('/');
  auto a = IpAddress::parse(text.substr(0, slash));
  if (!a) return std::nullopt;
  uint32_t len = uint32_t(a->length() * 8);
  if (slash != std::string_view::npos) {
    auto l = parse_uint(text.substr(slash + 1), len);
    if (!l) return std::nullopt;
    len = *l;
  }
  return make(*a, uint8_t(len));
}

bool IpPrefix::contains(const IpAddress& a) const {
  if (a.family() != address.family()) return false;
  auto masked = make(a, length);
  return masked && masked->address == address;
}

std::string IpPrefix::to_string() const {
  return fmt::format("{}/{}", address.to_string(), length);
}

}  // namespace mw::base
