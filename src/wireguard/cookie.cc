// SPDX-License-Identifier: Apache-2.0
// MAC1/MAC2 computation and the cookie reply exchange.
#include "wireguard/cookie.h"

#include <cstring>

#include "crypto/ct.h"
#include "crypto/random.h"
#include "crypto/xaead.h"
#include "wireguard/constants.h"

namespace mw::wg {
namespace {

constexpr char kLabelMac1[] = "mac1----";
constexpr char kLabelCookie[] = "cookie--";

crypto::Hash labelled_key(const char* label, const crypto::PublicKey& pub) {
  return crypto::blake2s256({base::Bytes(reinterpret_cast<const uint8_t*>(label), 8), pub});
}

// The bytes a message's mac1 covers (all before mac1) and mac2 covers (all before mac2).
base::Bytes mac1_span(base::Bytes m) { return m.first(m.size() - kMacsLen); }
base::Bytes mac2_span(base::Bytes m) { return m.first(m.size() - crypto::kMacLen); }
base::Bytes mac1_of(base::Bytes m) { return m.subspan(m.size() - kMacsLen, crypto::kMacLen); }
base::Bytes mac2_of(base::Bytes m) { return m.subspan(m.size() - crypto::kMacLen); }

}  // namespace

crypto::Hash mac1_key_for(const crypto::PublicKey& pub) { return labelled_key(kLabelMac1, pub); }
crypto::Hash cookie_key_for(const crypto::PublicKey& pub) {
  return labelled_key(kLabelCookie, pub);
}

void CookieChecker::set_local_public_key(const crypto::PublicKey& pub) {
  mac1_key_ = mac1_key_for(pub);
  cookie_key_ = cookie_key_for(pub);
}

bool CookieChecker::check_mac1(base::Bytes m) const {
  if (m.size() < kMacsLen) return false;
  crypto::Mac want = crypto::wg_mac(mac1_key_, mac1_span(m));
  return crypto::ct_equal(want, mac1_of(m));
}

crypto::Mac CookieChecker::cookie_for(const base::Endpoint& source) const {
  // τ = MAC(Rm, source address || source port); the layout is ours alone (only we check it).
  uint8_t src[18];
  size_t len = source.address.length();
  std::memcpy(src, source.address.data(), len);
  base::store_u16be(src + len, source.port);
  return crypto::wg_mac(secret_.span(), base::Bytes(src, len + 2));
}

bool CookieChecker::check_mac2(base::Bytes m, const base::Endpoint& source,
                               base::Instant now) const {
  if (m.size() < kMacsLen || !secret_valid_ || now - secret_set_ > kCookieSecretMaxAge)
    return false;
  crypto::Mac cookie = cookie_for(source);
  crypto::Mac want = crypto::wg_mac(cookie, mac2_span(m));
  return crypto::ct_equal(want, mac2_of(m));
}

CookieReply CookieChecker::make_reply(base::Bytes m, uint32_t receiver_index,
                                      const base::Endpoint& source, base::Instant now) {
  if (!secret_valid_ || now - secret_set_ > kCookieSecretMaxAge) {
    crypto::random_bytes(secret_.span());
    secret_set_ = now;
    secret_valid_ = true;
  }
  CookieReply reply;
  reply.receiver_index = receiver_index;
  crypto::random_bytes(reply.nonce);
  crypto::Mac cookie = cookie_for(source);
  bool sealed =
      crypto::xaead_seal(cookie_key_, reply.nonce, cookie, mac1_of(m), reply.encrypted_cookie);
  (void)sealed;  // sizes are fixed above; cannot fail
  return reply;
}

void CookieGenerator::set_remote_public_key(const crypto::PublicKey& pub) {
  mac1_key_ = mac1_key_for(pub);
  cookie_key_ = cookie_key_for(pub);
  cookie_valid_ = false;
  last_mac1_valid_ = false;
}

bool CookieGenerator::has_fresh_cookie(base::Instant now) const {
  return cookie_valid_ && now - cookie_set_ < kCookieSecretMaxAge - kCookieSecretLatency;
}

void CookieGenerator::add_macs(base::MutableBytes m, base::Instant now) {
  crypto::Mac mac1 = crypto::wg_mac(mac1_key_, mac1_span(m));
  std::memcpy(m.data() + m.size() - kMacsLen, mac1.data(), mac1.size());
  last_mac1_ = mac1;
  last_mac1_valid_ = true;
  uint8_t* mac2 = m.data() + m.size() - crypto::kMacLen;
  if (has_fresh_cookie(now)) {
    crypto::Mac v = crypto::wg_mac(cookie_, mac2_span(m));
    std::memcpy(mac2, v.data(), v.size());
  } else {
    std::memset(mac2, 0, crypto::kMacLen);
  }
}

bool CookieGenerator::consume_reply(const CookieReply& reply, base::Instant now) {
  if (!last_mac1_valid_) return false;
  crypto::Mac cookie;
  if (!crypto::xaead_open(cookie_key_, reply.nonce, reply.encrypted_cookie, last_mac1_, cookie))
    return false;
  cookie_ = cookie;
  cookie_set_ = now;
  cookie_valid_ = true;
  return true;
}

}  // namespace mw::wg
