// SPDX-License-Identifier: Apache-2.0
// Transport sealing and opening.
#include "wireguard/transport.h"

#include <cstring>

#include "crypto/aead.h"
#include "wireguard/constants.h"

namespace mw::wg {

size_t padded_length(size_t plain_len, size_t mtu) {
  size_t padded = (plain_len + kMessagePaddingMultiple - 1) & ~(kMessagePaddingMultiple - 1);
  if (plain_len <= mtu && padded > mtu) padded = mtu;
  if (padded < plain_len) padded = plain_len;
  return padded;
}

bool frame_transport(uint32_t receiver_index, uint64_t counter, base::Bytes plaintext,
                     size_t padded_len, base::MutableBytes out) {
  if (padded_len < plaintext.size() || out.size() != transport_message_length(padded_len))
    return false;
  uint8_t* body = out.data() + kTransportHeaderLen;
  if (!plaintext.empty() && plaintext.data() != body)
    std::memmove(body, plaintext.data(), plaintext.size());
  std::memset(body + plaintext.size(), 0, padded_len - plaintext.size());
  encode_transport_header({receiver_index, counter}, out.data());
  return true;
}

namespace {

// The body (padded plaintext) of a framed message, or nullopt when it is too short.
std::optional<base::Bytes> framed_body(base::MutableBytes message) {
  if (message.size() < kTransportMinLen) return std::nullopt;
  return base::Bytes(message.data() + kTransportHeaderLen, message.size() - kTransportMinLen);
}

// The ciphertext-and-tag region and the plaintext region it opens into, or nullopt when the
// datagram is too short.
struct Sealed {
  base::MutableBytes ciphertext;
  base::MutableBytes plain;
};
std::optional<Sealed> sealed_region(base::MutableBytes d) {
  if (d.size() < kTransportMinLen) return std::nullopt;
  base::MutableBytes ct = d.subspan(kTransportHeaderLen);
  return Sealed{ct, ct.first(ct.size() - crypto::kAeadTagLen)};
}

}  // namespace

bool seal_framed(crypto::AeadKey& key, uint64_t counter, base::MutableBytes message) {
  auto body = framed_body(message);
  return body &&
         key.seal(crypto::wg_nonce(counter), *body, {}, message.subspan(kTransportHeaderLen));
}

bool seal_framed(base::Bytes key, uint64_t counter, base::MutableBytes message) {
  auto body = framed_body(message);
  return body && crypto::aead_seal(key, crypto::wg_nonce(counter), *body, {},
                                   message.subspan(kTransportHeaderLen));
}

bool seal_transport(crypto::AeadKey& key, uint32_t receiver_index, uint64_t counter,
                    base::Bytes plaintext, size_t padded_len, base::MutableBytes out) {
  if (padded_len < plaintext.size() || out.size() != transport_message_length(padded_len))
    return false;
  // Encrypting from where the plaintext lies fuses framing's copy with the cipher's pass.
  if (!key.seal_gather(crypto::wg_nonce(counter), std::span(&plaintext, 1),
                       padded_len - plaintext.size(), out.subspan(kTransportHeaderLen)))
    return false;
  encode_transport_header({receiver_index, counter}, out.data());
  return true;
}

bool seal_transport(const crypto::SymmetricKey& key, uint32_t receiver_index, uint64_t counter,
                    base::Bytes plaintext, size_t padded_len, base::MutableBytes out) {
  return frame_transport(receiver_index, counter, plaintext, padded_len, out) &&
         seal_framed(key.span(), counter, out);
}

std::optional<base::MutableBytes> open_transport(crypto::AeadKey& key, uint64_t counter,
                                                 base::MutableBytes d) {
  auto r = sealed_region(d);
  if (!r || !key.open(crypto::wg_nonce(counter), r->ciphertext, {}, r->plain)) return std::nullopt;
  return r->plain;
}

std::optional<base::MutableBytes> open_transport(const crypto::SymmetricKey& key, uint64_t counter,
                                                 base::MutableBytes d) {
  auto r = sealed_region(d);
  if (!r || !crypto::aead_open(key.span(), crypto::wg_nonce(counter), r->ciphertext, {}, r->plain))
    return std::nullopt;
  return r->plain;
}

}  // namespace mw::wg
