// SPDX-License-Identifier: Apache-2.0
// MAC1, MAC2 and cookie replies (whitepaper §5.4.4, §5.4.7): the responder's CookieChecker
// validates macs and makes cookie replies under load; each peer's CookieGenerator adds macs to
// outgoing handshake messages and consumes the cookie replies it receives.
#pragma once

#include <optional>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/time.h"
#include "crypto/blake2s.h"
#include "crypto/keys.h"
#include "wireguard/messages.h"

namespace mw::wg {

// HASH("mac1----" || public key) and HASH("cookie--" || public key).
crypto::Hash mac1_key_for(const crypto::PublicKey& public_key);
crypto::Hash cookie_key_for(const crypto::PublicKey& public_key);

// Responder side, keyed on the local static public key. Not thread-safe.
class CookieChecker {
 public:
  void set_local_public_key(const crypto::PublicKey& public_key);

  // mac1 of a whole handshake message (initiation or response) is valid.
  bool check_mac1(base::Bytes message) const;
  // mac2 proves that the sender received a cookie for `source` within the last 120 s.
  bool check_mac2(base::Bytes message, const base::Endpoint& source, base::Instant now) const;
  // A cookie reply for `message` (which passed check_mac1) sent from `source`; rotates the
  // secret when it is older than 120 s. `receiver_index` is the message's sender index.
  CookieReply make_reply(base::Bytes message, uint32_t receiver_index, const base::Endpoint& source,
                         base::Instant now);

 private:
  crypto::Mac cookie_for(const base::Endpoint& source) const;

  crypto::Hash mac1_key_{};
  crypto::Hash cookie_key_{};
  base::Secret<32> secret_;
  base::Instant secret_set_{};
  bool secret_valid_ = false;
};

// Initiator side, keyed on one peer's static public key. Not thread-safe.
class CookieGenerator {
 public:
  void set_remote_public_key(const crypto::PublicKey& public_key);

  // Writes mac1 and (with a fresh cookie) mac2 into the last 32 bytes of `message`.
  void add_macs(base::MutableBytes message, base::Instant now);
  // Stores the cookie of a reply that answers the last message we sent. False if there is
  // none pending or the reply does not decrypt under its mac1.
  bool consume_reply(const CookieReply& reply, base::Instant now);
  bool has_fresh_cookie(base::Instant now) const;

 private:
  crypto::Hash mac1_key_{};
  crypto::Hash cookie_key_{};
  crypto::Mac cookie_{};
  base::Instant cookie_set_{};
  bool cookie_valid_ = false;
  crypto::Mac last_mac1_{};
  bool last_mac1_valid_ = false;
};

}  // namespace mw::wg
