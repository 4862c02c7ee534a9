// SPDX-License-Identifier: Apache-2.0
// STUN messages (RFC 8489) as meshward uses them: Binding requests it sends from the mesh port,
// and the answers it parses. The port is shared with WireGuard and the mesh, so a datagram is
// told apart by the magic cookie (RFC 8489 §5: the top two bits are zero, bytes 4..7 are
// 0x2112A442) and our requests carry a FINGERPRINT (§14.7) that answers may echo.
//
// Header (big-endian): type u16 | length u16 (of the attributes, a multiple of 4)
//                      | magic cookie u32 = 0x2112A442 | transaction id 12
// Attribute: type u16 | length u16 | value, padded to 4 bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/ip_address.h"

namespace mw::nat {

constexpr uint32_t kStunMagicCookie = 0x2112A442;
constexpr size_t kStunHeaderLen = 20;
constexpr uint16_t kStunBindingRequest = 0x0001;
constexpr uint16_t kStunBindingSuccess = 0x0101;
constexpr uint16_t kStunBindingError = 0x0111;
constexpr uint16_t kStunAttrMappedAddress = 0x0001;
constexpr uint16_t kStunAttrChangeRequest = 0x0003;  // RFC 5780 §7.2
constexpr uint16_t kStunAttrChangedAddress =
    0x0005;  // RFC 3489 §11.2.3 (OTHER-ADDRESS's forerunner)
constexpr uint16_t kStunAttrErrorCode = 0x0009;
constexpr uint16_t kStunAttrXorMappedAddress = 0x0020;
constexpr uint16_t kStunAttrSoftware = 0x8022;
constexpr uint16_t kStunAttrFingerprint = 0x8028;
constexpr uint16_t kStunAttrOtherAddress = 0x802C;  // RFC 5780 §7.4
// CHANGE-REQUEST flags: answer from the server's other IP address, from its other port.
constexpr uint32_t kStunChangeIp = 0x04;
constexpr uint32_t kStunChangePort = 0x02;
constexpr uint32_t kStunFingerprintXor = 0x5354554e;  // "STUN"

using TransactionId = std::array<uint8_t, 12>;
// A transaction id from two random words (96 of their bits).
TransactionId make_transaction_id(uint64_t a, uint64_t b);

// A Binding request with a FINGERPRINT: header and one 8-byte attribute.
constexpr size_t kStunRequestLen = kStunHeaderLen + 8;
std::array<uint8_t, kStunRequestLen> encode_binding_request(const TransactionId& id);
// A Binding request with CHANGE-REQUEST (`flags`: kStunChangeIp | kStunChangePort) and a
// FINGERPRINT, for the filtering test (RFC 5780 §4.4).
constexpr size_t kStunChangeRequestLen = kStunHeaderLen + 16;
std::array<uint8_t, kStunChangeRequestLen> encode_change_request(const TransactionId& id,
                                                                 uint32_t flags);

// Whether `d` looks like STUN (length, top bits, cookie, length field): the cheap test for
// the demultiplexer, before any parsing.
bool is_stun(base::Bytes d);

enum class StunParseError : uint8_t {
  kNotStun,         // header checks of is_stun() failed
  kMalformed,       // an attribute runs past the end, or a bad address family or length
  kBadFingerprint,  // a FINGERPRINT that does not match
  kNotResponse,     // a request or indication, or another method than Binding
  kNoAddress,       // a success without (XOR-)MAPPED-ADDRESS
};
const char* stun_parse_error_name(StunParseError e);

struct StunMessage {
  uint16_t type = 0;
  TransactionId transaction{};
  // The first XOR-MAPPED-ADDRESS, else the first MAPPED-ADDRESS (success only).
  base::Endpoint mapped;
  // Binding error: ERROR-CODE class * 100 + number (e.g. 400), 0 if absent.
  int error_code = 0;
  // The server's other address (OTHER-ADDRESS, else RFC 3489's CHANGED-ADDRESS), when it has
  // one: only then can it answer a CHANGE-REQUEST.
  std::optional<base::Endpoint> other;
};

// Parses a Binding request (the hairpin check sends one to our own reflexive address).
std::optional<TransactionId> parse_binding_request(base::Bytes d);

// Parses a Binding success or error response; a FINGERPRINT, when present, must match.
struct StunParsed {
  std::optional<StunMessage> message;
  StunParseError error = StunParseError::kNotStun;
};
StunParsed parse_binding_response(base::Bytes d);

// CRC-32 (ISO-HDLC, as FINGERPRINT uses it).
uint32_t crc32(base::Bytes data);

}  // namespace mw::nat
