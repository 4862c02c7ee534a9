// SPDX-License-Identifier: Apache-2.0
// The Noise_IKpsk2 message patterns, step by step as the whitepaper writes them.
#include "wireguard/noise.h"

#include <cstring>

#include "crypto/aead.h"
#include "crypto/x25519.h"

namespace mw::wg {

const char kConstruction[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s";
const char kIdentifier[] = "WireGuard v1 zx2c4 Jason@zx2c4.com";

namespace {

using crypto::Hash;
using crypto::SymmetricKey;

base::Bytes str_bytes(const char* s) {
  return base::Bytes(reinterpret_cast<const uint8_t*>(s), std::strlen(s));
}

void mix_hash(Hash& h, base::Bytes data) { h = crypto::blake2s256({h, data}); }

// ck = KDF1(ck, input)
void mix_key(SymmetricKey& ck, base::Bytes input) {
  SymmetricKey next;
  crypto::wg_kdf(ck.span(), input, &next, nullptr, nullptr);
  ck = next;
}

// (ck, k) = KDF2(ck, input)
void mix_key2(SymmetricKey& ck, SymmetricKey& k, base::Bytes input) {
  SymmetricKey next;
  crypto::wg_kdf(ck.span(), input, &next, &k, nullptr);
  ck = next;
}

// (ck, k) = KDF2(ck, DH(priv, pub)); false on an all-zero DH.
bool mix_dh2(SymmetricKey& ck, SymmetricKey& k, const crypto::PrivateKey& priv,
             const crypto::PublicKey& pub) {
  SymmetricKey dh;
  if (!crypto::x25519(dh, priv, pub)) return false;
  mix_key2(ck, k, dh.span());
  return true;
}

// DH(priv, pub) into `out`, or `precomputed` when given; false on an all-zero DH.
bool dh_or(SymmetricKey& out, const SymmetricKey* precomputed, const crypto::PrivateKey& priv,
           const crypto::PublicKey& pub) {
  if (precomputed) {
    out = *precomputed;
    return true;
  }
  return crypto::x25519(out, priv, pub);
}

// (ck, τ, k) = KDF3(ck, psk); h = HASH(h || τ): the "psk" token of IKpsk2.
void mix_psk(SymmetricKey& ck, Hash& h, SymmetricKey& k, const SymmetricKey& psk) {
  SymmetricKey tau, next;
  crypto::wg_kdf(ck.span(), psk.span(), &next, &tau, &k);
  ck = next;
  mix_hash(h, tau.span());
}

// H = HASH(Hi || responder static public key)
Hash hash_for_responder(const crypto::PublicKey& responder) {
  return crypto::blake2s256({initial_hash(), responder});
}

SymmetricKey initial_ck() {
  return SymmetricKey(std::span<const uint8_t, 32>(initial_chaining_key()));
}

}  // namespace

const Hash& initial_chaining_key() {
  static const Hash ck = crypto::blake2s256(str_bytes(kConstruction));
  return ck;
}

const Hash& initial_hash() {
  static const Hash h = crypto::blake2s256({initial_chaining_key(), str_bytes(kIdentifier)});
  return h;
}

void precompute_static_static(const LocalStatic& local, PeerKeys& keys) {
  keys.static_static_valid =
      local.present && crypto::x25519(keys.static_static, local.private_key, keys.remote_static);
  if (!keys.static_static_valid) keys.static_static.wipe();
  keys.static_static_current = true;
}

void Handshake::clear() {
  state = HandshakeState::kZeroed;
  base::secure_wipe(hash.data(), hash.size());
  chaining_key.wipe();
  ephemeral_private.wipe();
  remote_ephemeral.fill(0);
  local_index = 0;
  remote_index = 0;
}

bool create_initiation(const LocalStatic& local, const PeerKeys& peer, Handshake& hs,
                       uint32_t local_index, const Tai64n& timestamp, Initiation* msg,
                       const crypto::PrivateKey* ephemeral) {
  if (!local.present || !peer.static_static_valid) return false;
  Hash h = hash_for_responder(peer.remote_static);
  SymmetricKey ck = initial_ck();
  SymmetricKey k;
  crypto::PrivateKey eph = ephemeral ? *ephemeral : crypto::x25519_generate();

  msg->sender_index = local_index;
  msg->ephemeral = crypto::x25519_public(eph);
  mix_key(ck, msg->ephemeral);
  mix_hash(h, msg->ephemeral);

  if (!mix_dh2(ck, k, eph, peer.remote_static)) return false;
  if (!crypto::aead_seal(k.span(), crypto::wg_nonce(0), local.public_key, h, msg->encrypted_static))
    return false;
  mix_hash(h, msg->encrypted_static);

  mix_key2(ck, k, peer.static_static.span());
  if (!crypto::aead_seal(k.span(), crypto::wg_nonce(0), timestamp, h, msg->encrypted_timestamp))
    return false;
  mix_hash(h, msg->encrypted_timestamp);

  hs.clear();
  hs.state = HandshakeState::kInitiationCreated;
  hs.hash = h;
  hs.chaining_key = ck;
  hs.ephemeral_private = eph;
  hs.local_index = local_index;
  return true;
}

namespace {

// The first half of consuming an initiation: mixes the ephemeral and es into (ck, h) and
// decrypts the initiator's static key.
bool open_initiation_static(const LocalStatic& local, const Initiation& msg, const SymmetricKey& es,
                            SymmetricKey& ck, Hash& h, crypto::PublicKey& remote_static) {
  h = hash_for_responder(local.public_key);
  ck = initial_ck();
  SymmetricKey k;
  mix_key(ck, msg.ephemeral);
  mix_hash(h, msg.ephemeral);
  mix_key2(ck, k, es.span());
  if (!crypto::aead_open(k.span(), crypto::wg_nonce(0), msg.encrypted_static, h, remote_static))
    return false;
  mix_hash(h, msg.encrypted_static);
  return true;
}

}  // namespace

bool compute_initiation_dh(const LocalStatic& local, const Initiation& msg, InitiationDh* out,
                           const crypto::PrivateKey* ephemeral) {
  if (!local.present) return false;
  if (!crypto::x25519(out->es, local.private_key, msg.ephemeral)) return false;
  SymmetricKey ck;
  Hash h;
  if (!open_initiation_static(local, msg, out->es, ck, h, out->remote_static)) return false;
  out->response_ephemeral = ephemeral ? *ephemeral : crypto::x25519_generate();
  out->response_ephemeral_public = crypto::x25519_public(out->response_ephemeral);
  return crypto::x25519(out->ee, out->response_ephemeral, msg.ephemeral) &&
         crypto::x25519(out->se, out->response_ephemeral, out->remote_static);
}

bool compute_response_dh(const LocalStatic& local, const crypto::PrivateKey& initiation_ephemeral,
                         const Response& msg, ResponseDh* out) {
  if (!local.present) return false;
  return crypto::x25519(out->ee, initiation_ephemeral, msg.ephemeral) &&
         crypto::x25519(out->se, local.private_key, msg.ephemeral);
}

bool consume_initiation(const LocalStatic& local, const Initiation& msg,
                        const PeerKeysLookup& lookup, ConsumedInitiation* out,
                        const InitiationDh* dh) {
  if (!local.present) return false;
  SymmetricKey es;
  if (!dh_or(es, dh ? &dh->es : nullptr, local.private_key, msg.ephemeral)) return false;
  SymmetricKey ck;
  Hash h;
  crypto::PublicKey remote_static;
  if (!open_initiation_static(local, msg, es, ck, h, remote_static)) return false;

  const PeerKeys* peer = lookup(remote_static);
  if (peer == nullptr || !peer->static_static_valid) return false;

  SymmetricKey k;
  mix_key2(ck, k, peer->static_static.span());
  Tai64n ts;
  if (!crypto::aead_open(k.span(), crypto::wg_nonce(0), msg.encrypted_timestamp, h, ts))
    return false;
  mix_hash(h, msg.encrypted_timestamp);

  out->remote_static = remote_static;
  out->timestamp = ts;
  out->hash = h;
  out->chaining_key = ck;
  out->remote_ephemeral = msg.ephemeral;
  out->remote_index = msg.sender_index;
  return true;
}

void accept_initiation(Handshake& hs, const ConsumedInitiation& c) {
  hs.clear();
  hs.state = HandshakeState::kInitiationConsumed;
  hs.hash = c.hash;
  hs.chaining_key = c.chaining_key;
  hs.remote_ephemeral = c.remote_ephemeral;
  hs.remote_index = c.remote_index;
}

bool create_response(const PeerKeys& peer, Handshake& hs, uint32_t local_index, Response* msg,
                     const crypto::PrivateKey* ephemeral, const InitiationDh* dh) {
  if (hs.state != HandshakeState::kInitiationConsumed) return false;
  if (dh && dh->remote_static != peer.remote_static) return false;
  Hash h = hs.hash;
  SymmetricKey ck = hs.chaining_key;
  crypto::PrivateKey eph = dh          ? dh->response_ephemeral
                           : ephemeral ? *ephemeral
                                       : crypto::x25519_generate();

  msg->sender_index = local_index;
  msg->receiver_index = hs.remote_index;
  msg->ephemeral = dh ? dh->response_ephemeral_public : crypto::x25519_public(eph);
  mix_key(ck, msg->ephemeral);
  mix_hash(h, msg->ephemeral);
  SymmetricKey ee, se;
  if (!dh_or(ee, dh ? &dh->ee : nullptr, eph, hs.remote_ephemeral)) return false;
  mix_key(ck, ee.span());
  if (!dh_or(se, dh ? &dh->se : nullptr, eph, peer.remote_static)) return false;
  mix_key(ck, se.span());

  SymmetricKey k;
  mix_psk(ck, h, k, peer.preshared_key);
  if (!crypto::aead_seal(k.span(), crypto::wg_nonce(0), {}, h, msg->encrypted_nothing))
    return false;
  mix_hash(h, msg->encrypted_nothing);

  hs.state = HandshakeState::kResponseCreated;
  hs.hash = h;
  hs.chaining_key = ck;
  hs.ephemeral_private = eph;
  hs.local_index = local_index;
  return true;
}

bool consume_response(const LocalStatic& local, const PeerKeys& peer, Handshake& hs,
                      const Response& msg, const ResponseDh* dh) {
  if (hs.state != HandshakeState::kInitiationCreated || !local.present) return false;
  Hash h = hs.hash;
  SymmetricKey ck = hs.chaining_key;

  mix_key(ck, msg.ephemeral);
  mix_hash(h, msg.ephemeral);
  SymmetricKey ee, se;
  if (!dh_or(ee, dh ? &dh->ee : nullptr, hs.ephemeral_private, msg.ephemeral)) return false;
  mix_key(ck, ee.span());
  if (!dh_or(se, dh ? &dh->se : nullptr, local.private_key, msg.ephemeral)) return false;
  mix_key(ck, se.span());

  SymmetricKey k;
  mix_psk(ck, h, k, peer.preshared_key);
  uint8_t nothing[1];
  if (!crypto::aead_open(k.span(), crypto::wg_nonce(0), msg.encrypted_nothing, h,
                         base::MutableBytes(nothing, 0)))
    return false;
  mix_hash(h, msg.encrypted_nothing);

  hs.state = HandshakeState::kResponseConsumed;
  hs.hash = h;
  hs.chaining_key = ck;
  hs.remote_index = msg.sender_index;
  return true;
}

bool derive_session(Handshake& hs, SessionKeys* out) {
  bool initiator;
  if (hs.state == HandshakeState::kResponseConsumed) {
    initiator = true;
  } else if (hs.state == HandshakeState::kResponseCreated) {
    initiator = false;
  } else {
    return false;
  }
  SymmetricKey first, second;
  crypto::wg_kdf(hs.chaining_key.span(), {}, &first, &second, nullptr);
  out->send_key = initiator ? first : second;
  out->receive_key = initiator ? second : first;
  out->local_index = hs.local_index;
  out->remote_index = hs.remote_index;
  out->is_initiator = initiator;
  hs.clear();
  return true;
}

}  // namespace mw::wg
