// SPDX-License-Identifier: Apache-2.0
// The pair key that authenticates every mesh datagram between two identities (docs/mesh.md §1).
#pragma once

#include <optional>

#include "base/secret.h"
#include "crypto/keys.h"

namespace mw::swim {

using PairKey = base::Secret<32>;

// pair_key = BLAKE2s-256("meshward pair v1" || X25519(own wg private, peer wg public)
//                        || lower identity key || higher identity key)
// with the WireGuard keys derived from the identities (trust::wireguard_*_key), so both sides
// compute the same key. nullopt when the peer's key is not a valid Ed25519 point or the
// Diffie-Hellman result is zero. Costs one X25519: callers cache the result per member.
std::optional<PairKey> derive_pair_key(const crypto::PrivateKey& own_wg_private,
                                       const crypto::PublicKey& own_id,
                                       const crypto::PublicKey& peer_id);

}  // namespace mw::swim
