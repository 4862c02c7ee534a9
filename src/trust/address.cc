// SPDX-License-Identifier: Apache-2.0
// Mesh address derivation. With h = BLAKE2b-256(public key) read as a bit string from the most
// significant bit of h[0] onwards, the host part of each prefix (the bits after its length) is
// filled with the leading bits of h, in order; the network part is the prefix's.
//   IPv6: if the host part comes out all zero, its last bit (bit 0 of byte 15) is set to 1.
//   IPv4: the last byte is never 0 or 255: 0 becomes 1 and 255 becomes 254 (other bytes are
//         kept), so an address is never a subnet's network or broadcast address.
// With the defaults this gives fd99:6d67::h[0]h[1]:...:h[6]h[7] and 10.99.h[0].h[1].
#include "trust/address.h"

#include <algorithm>
#include <array>
#include <map>

#include "base/check.h"
#include "base/encoding.h"
#include "crypto/blake2b.h"

namespace mw::trust {

namespace {

std::array<uint8_t, 32> address_hash(const crypto::PublicKey& key) {
  std::array<uint8_t, 32> h{};
  MW_CHECK(crypto::blake2b(key, h));
  return h;
}

// Overwrites the bits of `addr` from bit `prefix_len` on with the leading bits of `h`.
template <size_t N>
void fill_host_bits(std::array<uint8_t, N>& addr, size_t prefix_len,
                    const std::array<uint8_t, 32>& h) {
  for (size_t i = prefix_len; i < N * 8; ++i) {
    const size_t j = i - prefix_len;  // bit index into h, most significant first
    const bool bit = (h[j / 8] >> (7 - j % 8)) & 1;
    const uint8_t mask = uint8_t(0x80 >> (i % 8));
    addr[i / 8] = bit ? uint8_t(addr[i / 8] | mask) : uint8_t(addr[i / 8] & ~mask);
  }
}

template <size_t N>
bool host_bits_zero(const std::array<uint8_t, N>& addr, size_t prefix_len) {
  for (size_t i = prefix_len; i < N * 8; ++i) {
    if ((addr[i / 8] >> (7 - i % 8)) & 1) return false;
  }
  return true;
}

}  // namespace

MeshPrefixes MeshPrefixes::defaults() {
  return MeshPrefixes{*base::IpPrefix::parse("fd99:6d67::/64"),
                      *base::IpPrefix::parse("10.99.0.0/16")};
}

base::Result<MeshPrefixes> MeshPrefixes::make(const base::IpPrefix& v6, const base::IpPrefix& v4) {
  if (!v6.address.is_v6()) {
    return base::make_error("ipv6_prefix: {} is not an IPv6 prefix", v6.to_string());
  }
  if (v6.length < 8 || v6.length > 120) {
    return base::make_error("ipv6_prefix: length {} is outside 8..120", v6.length);
  }
  if (!v4.address.is_v4()) {
    return base::make_error("ipv4_prefix: {} is not an IPv4 prefix", v4.to_string());
  }
  if (v4.length < 8 || v4.length > 24) {
    return base::make_error("ipv4_prefix: length {} is outside 8..24", v4.length);
  }
  return MeshPrefixes{v6, v4};
}

base::IpAddress mesh_ipv6(const crypto::PublicKey& key, const MeshPrefixes& prefixes) {
  std::array<uint8_t, 16> addr{};
  std::copy_n(prefixes.v6.address.data(), 16, addr.begin());
  const size_t len = std::min<size_t>(prefixes.v6.length, 120);
  fill_host_bits(addr, len, address_hash(key));
  if (host_bits_zero(addr, len)) addr[15] |= 1;
  return base::IpAddress::v6(addr);
}

base::IpAddress mesh_ipv4(const crypto::PublicKey& key, const MeshPrefixes& prefixes) {
  std::array<uint8_t, 4> addr{};
  std::copy_n(prefixes.v4.address.data(), 4, addr.begin());
  const size_t len = std::min<size_t>(prefixes.v4.length, 24);
  fill_host_bits(addr, len, address_hash(key));
  if (addr[3] == 0) addr[3] = 1;
  if (addr[3] == 255) addr[3] = 254;
  return base::IpAddress::v4(addr);
}

std::vector<std::vector<crypto::PublicKey>> ipv4_collisions(std::span<const crypto::PublicKey> keys,
                                                            const MeshPrefixes& prefixes) {
  std::vector<crypto::PublicKey> unique(keys.begin(), keys.end());
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  std::map<base::IpAddress, std::vector<crypto::PublicKey>> by_address;
  for (const auto& key : unique) by_address[mesh_ipv4(key, prefixes)].push_back(key);
  std::vector<std::vector<crypto::PublicKey>> groups;
  for (auto& [address, group] : by_address) {
    if (group.size() >= 2) groups.push_back(std::move(group));  // sorted: `unique` was
  }
  return groups;
}

std::string org_domain(const crypto::PublicKey& org_key) {
  const auto h = address_hash(org_key);
  return base::hex_encode(base::Bytes(h.data(), 3));
}

}  // namespace mw::trust
