// SPDX-License-Identifier: Apache-2.0
// What the flood tools (mw-handshake-flood, mw-mesh-claim-flood) share: number and IPv4
// endpoint parsing for their command lines, and a fast filler for random packet fields.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace mw::flood {

template <typename T>
bool parse_number(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// "A.B.C.D:PORT", port not 0.
inline bool parse_endpoint(const std::string& text, sockaddr_in* out) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  uint16_t port = 0;
  if (!parse_number(std::string_view(text).substr(colon + 1), &port) || port == 0) return false;
  out->sin_family = AF_INET;
  out->sin_port = htons(port);
  return inet_pton(AF_INET, text.substr(0, colon).c_str(), &out->sin_addr) == 1;
}

// splitmix64: fast filler for the random fields; they need no cryptographic strength.
class Filler {
 public:
  explicit Filler(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }

 private:
  uint64_t state_;
};

}  // namespace mw::flood
