// SPDX-License-Identifier: Apache-2.0
// Mesh addresses derived from an identity with BLAKE2b-256 of the public key: IPv6 in a ULA
// prefix (default fd99:6d67::/64; the host bits come from the hash) and IPv4 in a /16 (default
// 10.99.0.0/16; host bits from the hash, never a last byte of 0 or 255). IPv4 collisions cannot
// be ruled out, so collisions() finds them for the mesh to refuse routing them.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"
#include "crypto/keys.h"

namespace mw::trust {

struct MeshPrefixes {
  base::IpPrefix v6;  // length 8..120
  base::IpPrefix v4;  // length 8..24
  static MeshPrefixes defaults();
  // Checks families and lengths; errors name the field ("ipv6_prefix: ...").
  static base::Result<MeshPrefixes> make(const base::IpPrefix& v6, const base::IpPrefix& v4);
};

base::IpAddress mesh_ipv6(const crypto::PublicKey& key, const MeshPrefixes& prefixes);
base::IpAddress mesh_ipv4(const crypto::PublicKey& key, const MeshPrefixes& prefixes);

// Every group (of two or more keys) whose derived IPv4 addresses are equal, each group sorted,
// groups ordered by address. Keys that appear twice count once.
std::vector<std::vector<crypto::PublicKey>> ipv4_collisions(std::span<const crypto::PublicKey> keys,
                                                            const MeshPrefixes& prefixes);

// An org's domain: lowercase hex of the first 3 bytes of BLAKE2b-256(org key), e.g. "a1b2c3".
std::string org_domain(const crypto::PublicKey& org_key);

}  // namespace mw::trust
