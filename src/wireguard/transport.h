// SPDX-License-Identifier: Apache-2.0
// Transport data messages (whitepaper §5.4.6): padding to 16 bytes within the MTU, sealing
// under a keypair's send key, and opening in place. The data path passes the keypair's keyed
// AEAD contexts; the SymmetricKey overloads (same bytes out) serve tests and one-off uses.
#pragma once

#include <optional>

#include "base/bytes.h"
#include "crypto/aead.h"
#include "crypto/keys.h"
#include "wireguard/messages.h"

namespace mw::wg {

// The plaintext length after padding: the next multiple of 16, but never past the MTU
// (a packet already longer than the MTU is not padded).
size_t padded_length(size_t plain_len, size_t mtu);
// The datagram length for a padded plaintext length.
constexpr size_t transport_message_length(size_t padded_len) {
  return kTransportHeaderLen + padded_len + crypto::kAeadTagLen;
}

// A transport message before framing: what the device hands its output to frame and seal
// wherever the datagram will be sent from (DeviceOutput::send_transport).
struct OutboundTransport {
  uint32_t receiver_index = 0;
  uint64_t counter = 0;
  base::Bytes plaintext;  // valid only during the call that carries it
  size_t padded_len = 0;  // plaintext is zero-padded to this length
  size_t message_len() const { return transport_message_length(padded_len); }
};

// Writes header, sealed padded plaintext and tag to out, whose size must be
// transport_message_length(padded_len). The plaintext is read where it lies and encrypted
// straight into out (no copy first); it may also already sit at out.data() +
// kTransportHeaderLen (in place). `key` is used by this thread only for the duration of the
// call.
bool seal_transport(crypto::AeadKey& key, uint32_t receiver_index, uint64_t counter,
                    base::Bytes plaintext, size_t padded_len, base::MutableBytes out);
bool seal_transport(const crypto::SymmetricKey& key, uint32_t receiver_index, uint64_t counter,
                    base::Bytes plaintext, size_t padded_len, base::MutableBytes out);
inline bool seal_transport(crypto::AeadKey& key, const OutboundTransport& t,
                           base::MutableBytes out) {
  return seal_transport(key, t.receiver_index, t.counter, t.plaintext, t.padded_len, out);
}

// The two halves of seal_transport, for sealing later or on another thread. frame_transport
// writes the header and the zero-padded plaintext to out (same size rule and in-place allowance
// as seal_transport), leaving the last 16 bytes for the tag. seal_framed then encrypts the body
// of such a framed `message` in place and writes the tag; `counter` must be the header's. False
// only on a size mismatch (or, for AeadKey, a context that failed to key).
bool frame_transport(uint32_t receiver_index, uint64_t counter, base::Bytes plaintext,
                     size_t padded_len, base::MutableBytes out);
bool seal_framed(crypto::AeadKey& key, uint64_t counter, base::MutableBytes message);
// Keys the calling thread's own OpenSSL context: safe on any thread.
bool seal_framed(base::Bytes key, uint64_t counter, base::MutableBytes message);

// Opens a transport datagram in place; returns the padded plaintext inside `datagram`, or
// nullopt when authentication fails (the plaintext region is then zeroed). The header must
// already have been decoded. `key` is used by this thread only for the duration of the call.
std::optional<base::MutableBytes> open_transport(crypto::AeadKey& key, uint64_t counter,
                                                 base::MutableBytes datagram);
std::optional<base::MutableBytes> open_transport(const crypto::SymmetricKey& key, uint64_t counter,
                                                 base::MutableBytes datagram);

}  // namespace mw::wg
