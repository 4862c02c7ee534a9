// SPDX-License-Identifier: Apache-2.0
// Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s as WireGuard uses it (whitepaper §5.4.2-5.4.5): create
// and consume the initiation and the response, and derive the transport keys. Pure functions
// over one peer's Handshake state; the caller owns lookups, timers and index allocation.
#pragma once

#include <functional>

#include "crypto/blake2s.h"
#include "crypto/keys.h"
#include "wireguard/messages.h"
#include "wireguard/tai64n.h"

namespace mw::wg {

// "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s" and "WireGuard v1 zx2c4 Jason@zx2c4.com".
extern const char kConstruction[];
extern const char kIdentifier[];
// Ci = HASH(CONSTRUCTION) and Hi = HASH(Ci || IDENTIFIER).
const crypto::Hash& initial_chaining_key();
const crypto::Hash& initial_hash();

// This interface's static X25519 key pair.
struct LocalStatic {
  crypto::PrivateKey private_key;
  crypto::PublicKey public_key{};
  bool present = false;
};

// What a handshake needs to know about one peer.
struct PeerKeys {
  crypto::PublicKey remote_static{};
  crypto::SymmetricKey preshared_key;  // zeros when none (Noise mixes zeros then)
  crypto::SymmetricKey static_static;  // DH(local private, remote static)
  bool static_static_valid = false;    // false when the DH is all-zero or there is no local key
  // Whether static_static is that of the present local key: the device computes it when a
  // handshake first needs it, so that adding 40,000 peers costs no X25519 each.
  bool static_static_current = false;
};

// Recomputes keys.static_static for the local key (and marks it current).
void precompute_static_static(const LocalStatic& local, PeerKeys& keys);

enum class HandshakeState : uint8_t {
  kZeroed,
  kInitiationCreated,
  kInitiationConsumed,
  kResponseCreated,
  kResponseConsumed,
};

// One side of one handshake in progress. Wiped when a session is derived or abandoned.
struct Handshake {
  HandshakeState state = HandshakeState::kZeroed;
  crypto::Hash hash{};
  crypto::SymmetricKey chaining_key;
  crypto::PrivateKey ephemeral_private;
  crypto::PublicKey remote_ephemeral{};
  uint32_t local_index = 0;
  uint32_t remote_index = 0;
  void clear();
};

// Fills msg (all but the MACs) and moves hs to kInitiationCreated. `ephemeral` fixes the
// ephemeral key for known-answer tests; nullptr draws a fresh one. False on an all-zero DH.
bool create_initiation(const LocalStatic& local, const PeerKeys& peer, Handshake& hs,
                       uint32_t local_index, const Tai64n& timestamp, Initiation* msg,
                       const crypto::PrivateKey* ephemeral = nullptr);

// The parts of a decrypted initiation the caller checks before accepting it.
struct ConsumedInitiation {
  crypto::PublicKey remote_static{};
  Tai64n timestamp{};
  crypto::Hash hash{};
  crypto::SymmetricKey chaining_key;
  crypto::PublicKey remote_ephemeral{};
  uint32_t remote_index = 0;
};

// The Diffie-Hellman results of a received initiation and of our response to it. They depend
// only on the message, the local static key and a fresh ephemeral, so compute_initiation_dh
// can run on any thread; consume_initiation and create_response, given them, do no DH.
struct InitiationDh {
  crypto::SymmetricKey es;                        // DH(local static, initiator's ephemeral)
  crypto::PublicKey remote_static{};              // the initiator's static key, decrypted
  crypto::PrivateKey response_ephemeral;          // our response's ephemeral key
  crypto::PublicKey response_ephemeral_public{};  // ... and its public half
  crypto::SymmetricKey ee;                        // DH(response ephemeral, initiator ephemeral)
  crypto::SymmetricKey se;                        // DH(response ephemeral, initiator static)
};

// False when a DH is all zero or the static key does not decrypt: the message is invalid.
// `ephemeral` fixes the response's ephemeral key for known-answer tests.
bool compute_initiation_dh(const LocalStatic& local, const Initiation& msg, InitiationDh* out,
                           const crypto::PrivateKey* ephemeral = nullptr);

// The Diffie-Hellman results of a received response, from our initiation's ephemeral key.
struct ResponseDh {
  crypto::SymmetricKey ee;  // DH(our initiation's ephemeral, responder's ephemeral)
  crypto::SymmetricKey se;  // DH(local static, responder's ephemeral)
};

// False when a DH is all zero.
bool compute_response_dh(const LocalStatic& local, const crypto::PrivateKey& initiation_ephemeral,
                         const Response& msg, ResponseDh* out);

// Looks up a peer by static public key; nullptr when it is unknown.
using PeerKeysLookup = std::function<const PeerKeys*(const crypto::PublicKey&)>;

// Decrypts the initiator's static key, finds the peer with `lookup`, and decrypts the timestamp.
// Touches no peer state: the caller checks the timestamp and the flood rule, then calls
// accept_initiation. False when any step fails (including an unknown peer). With `dh`
// (compute_initiation_dh of this message and key), no DH is done here.
bool consume_initiation(const LocalStatic& local, const Initiation& msg,
                        const PeerKeysLookup& lookup, ConsumedInitiation* out,
                        const InitiationDh* dh = nullptr);
void accept_initiation(Handshake& hs, const ConsumedInitiation& consumed);

// From kInitiationConsumed: fills msg (all but the MACs), moves hs to kResponseCreated. With
// `dh` (of the initiation hs consumed, for this peer's static key), its ephemeral key and
// results are used and no DH is done here; `ephemeral` is then ignored.
bool create_response(const PeerKeys& peer, Handshake& hs, uint32_t local_index, Response* msg,
                     const crypto::PrivateKey* ephemeral = nullptr,
                     const InitiationDh* dh = nullptr);

// From kInitiationCreated: verifies the response and moves hs to kResponseConsumed. On failure
// hs is unchanged so that a forged response cannot break a pending handshake. With `dh`
// (compute_response_dh of this message and hs's ephemeral key), no DH is done here.
bool consume_response(const LocalStatic& local, const PeerKeys& peer, Handshake& hs,
                      const Response& msg, const ResponseDh* dh = nullptr);

struct SessionKeys {
  crypto::SymmetricKey send_key;
  crypto::SymmetricKey receive_key;
  uint32_t local_index = 0;
  uint32_t remote_index = 0;
  bool is_initiator = false;
};

// From kResponseConsumed (initiator) or kResponseCreated (responder): derives the transport keys
// and wipes hs. False in any other state.
bool derive_session(Handshake& hs, SessionKeys* out);

}  // namespace mw::wg
