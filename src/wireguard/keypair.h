// SPDX-License-Identifier: Apache-2.0
// Transport keypairs (whitepaper §5.4.6) and a peer's previous/current/next slots, with the
// responder's key confirmation: a fresh responder keypair waits in `next` until the initiator's
// first transport packet arrives on it.
#pragma once

#include <memory>

#include "base/time.h"
#include "crypto/aead.h"
#include "crypto/keys.h"
#include "wireguard/replay.h"

namespace mw::wg {

// One direction of a keypair: the derived key, kept in a Secret so that it is wiped with the
// keypair, and an AEAD context keyed with it once, when the key is assigned at derivation
// (begin_session), so that sealing or opening a packet only sets the nonce. Both are dropped
// together when the keypair is destroyed (rotation, expiry, zero_key_material after 540 s).
class TransportKey {
 public:
  TransportKey() = default;
  TransportKey(const TransportKey&) = delete;
  TransportKey& operator=(const TransportKey&) = delete;
  // Stores the key and keys a fresh context with it; if OpenSSL fails to allocate the context,
  // every seal/open on this direction fails (its packets are dropped) instead of aborting.
  TransportKey& operator=(const crypto::SymmetricKey& key);

  const crypto::SymmetricKey& key() const { return key_; }
  // Not thread-safe: used by one thread at a time (see crypto::AeadKey).
  crypto::AeadKey& aead() { return aead_; }

 private:
  crypto::SymmetricKey key_;
  crypto::AeadKey aead_;
};

// Owned by its peer's Keypairs; sealing uses send_key.aead() and opening receive_key.aead(),
// so a keypair is used by one thread at a time.
struct Keypair {
  TransportKey send_key;
  TransportKey receive_key;
  uint64_t send_counter = 0;  // the next counter to send
  ReplayWindow replay;
  base::Instant created{};
  bool is_initiator = false;
  uint32_t local_index = 0;   // what the peer puts in receiver_index
  uint32_t remote_index = 0;  // what we put in receiver_index
};

struct Keypairs {
  std::unique_ptr<Keypair> previous;
  std::unique_ptr<Keypair> current;
  std::unique_ptr<Keypair> next;

  // The slot holding the keypair with this local index, or nullptr.
  Keypair* find(uint32_t local_index) const;
  bool empty() const { return !previous && !current && !next; }
};

}  // namespace mw::wg
