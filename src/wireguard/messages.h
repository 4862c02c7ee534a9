// SPDX-License-Identifier: Apache-2.0
// WireGuard wire layouts (whitepaper §5.4; kernel messages.h): initiation 148 B, response 92 B,
// cookie reply 64 B, transport header 16 B. Every field is little-endian; the 32-bit type
// field is one type byte followed by three reserved bytes that must be zero.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "crypto/blake2s.h"
#include "crypto/keys.h"

namespace mw::wg {

enum class MessageType : uint8_t {
  kInitiation = 1,
  kResponse = 2,
  kCookieReply = 3,
  kTransport = 4,
};

constexpr size_t kInitiationLen = 148;
constexpr size_t kResponseLen = 92;
constexpr size_t kCookieReplyLen = 64;
constexpr size_t kTransportHeaderLen = 16;
constexpr size_t kTransportMinLen = kTransportHeaderLen + crypto::kAeadTagLen;  // a keepalive
constexpr size_t kTimestampLen = 12;                                            // TAI64N
constexpr size_t kCookieLen = 16;
constexpr size_t kCookieNonceLen = 24;

// Offsets of mac1 and mac2 from the end of a handshake message.
constexpr size_t kMacsLen = 2 * crypto::kMacLen;

struct Initiation {
  uint32_t sender_index = 0;
  crypto::PublicKey ephemeral{};
  std::array<uint8_t, crypto::kKeyLen + crypto::kAeadTagLen> encrypted_static{};
  std::array<uint8_t, kTimestampLen + crypto::kAeadTagLen> encrypted_timestamp{};
  crypto::Mac mac1{};
  crypto::Mac mac2{};
};

struct Response {
  uint32_t sender_index = 0;
  uint32_t receiver_index = 0;
  crypto::PublicKey ephemeral{};
  std::array<uint8_t, crypto::kAeadTagLen> encrypted_nothing{};
  crypto::Mac mac1{};
  crypto::Mac mac2{};
};

struct CookieReply {
  uint32_t receiver_index = 0;
  std::array<uint8_t, kCookieNonceLen> nonce{};
  std::array<uint8_t, kCookieLen + crypto::kAeadTagLen> encrypted_cookie{};
};

struct TransportHeader {
  uint32_t receiver_index = 0;
  uint64_t counter = 0;
};

using InitiationBytes = std::array<uint8_t, kInitiationLen>;
using ResponseBytes = std::array<uint8_t, kResponseLen>;
using CookieReplyBytes = std::array<uint8_t, kCookieReplyLen>;

// The message type of a datagram when its type byte, reserved bytes and exact length (or, for
// transport, minimum length) are valid; nullopt for anything else.
std::optional<MessageType> classify(base::Bytes datagram);

InitiationBytes encode(const Initiation& m);
ResponseBytes encode(const Response& m);
CookieReplyBytes encode(const CookieReply& m);
void encode_transport_header(const TransportHeader& h, uint8_t* out16);

// Strict decoders: false unless classify() gives the matching type.
bool decode(base::Bytes datagram, Initiation* out);
bool decode(base::Bytes datagram, Response* out);
bool decode(base::Bytes datagram, CookieReply* out);
bool decode_transport_header(base::Bytes datagram, TransportHeader* out);

}  // namespace mw::wg
