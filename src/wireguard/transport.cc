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

bool seal_transport(const crypto::SymmetricKey& key, uint32_t receiver_index, uint64_t counter,
                    base::Bytes plaintext, size_t padded_len, base::MutableBytes out) {
  if (padded_len < plaintext.size() || out.size() != transport_message_length(padded_len))
    return false;
  uint8_t* body = out.data() + kTransportHeaderLen;
  if (!plaintext.empty() && plaintext.data() != body)
    std::memmove(body, plaintext.data(), plaintext.size());
  std::memset(body + plaintext.size(), 0, padded_len - plaintext.size());
  encode_transport_header({receiver_index, counter}, out.data());
  base::MutableBytes sealed = out.subspan(kTransportHeaderLen);
  return crypto::aead_seal(key.span(), crypto::wg_nonce(counter), base::Bytes(body, padded_len), {},
                           sealed);
}

std::optional<base::MutableBytes> open_transport(const crypto::SymmetricKey& key, uint64_t counter,
                                                 base::MutableBytes d) {
  if (d.size() < kTransportMinLen) return std::nullopt;
  base::MutableBytes ct = d.subspan(kTransportHeaderLen);
  base::MutableBytes plain = ct.first(ct.size() - crypto::kAeadTagLen);
  if (!crypto::aead_open(key.span(), crypto::wg_nonce(counter), ct, {}, plain)) return std::nullopt;
  return plain;
}

}  // namespace mw::wg
