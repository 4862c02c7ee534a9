// SPDX-License-Identifier: Apache-2.0
// Derivation of the per-pair datagram MAC key (meshward mesh protocol v1, docs/mesh.md §1).
#include "discovery/pair_key.h"

#include <string_view>

#include "crypto/blake2s.h"
#include "crypto/x25519.h"
#include "trust/identity.h"

namespace mw::swim {

std::optional<PairKey> derive_pair_key(const crypto::PrivateKey& own_wg_private,
                                       const crypto::PublicKey& own_id,
                                       const crypto::PublicKey& peer_id) {
  std::optional<crypto::PublicKey> peer_wg = trust::wireguard_public_key(peer_id);
  if (!peer_wg) return std::nullopt;
  crypto::SymmetricKey dh;
  if (!crypto::x25519(dh, own_wg_private, *peer_wg)) return std::nullopt;
  static constexpr std::string_view kContext = "meshward pair v1";
  const crypto::PublicKey& lower = own_id < peer_id ? own_id : peer_id;
  const crypto::PublicKey& higher = own_id < peer_id ? peer_id : own_id;
  crypto::Hash h = crypto::blake2s256(
      {base::as_bytes(kContext), base::Bytes(dh.data(), dh.size()), lower, higher});
  PairKey key(std::span<const uint8_t, 32>(h.data(), 32));
  base::secure_wipe(h.data(), h.size());
  return key;
}

}  // namespace mw::swim
