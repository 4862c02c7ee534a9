// SPDX-License-Identifier: Apache-2.0
// PCP (RFC 6887) MAP requests and responses: how meshward asks a gateway for an inbound port
// mapping of its UDP port when UPnP-IGD and NAT-PMP are not there. Pure: bytes in, bytes out.
//
// Common request header (RFC 6887 §7.1), big-endian:
//   version u8 = 2 | R=0 (1 bit) opcode (7 bits) | reserved u16 | requested lifetime u32
//   | PCP client's IP address 16 (IPv4 as IPv4-mapped IPv6)
// Common response header (§7.2):
//   version u8 = 2 | R=1 (1 bit) opcode (7 bits) | reserved u8 | result code u8 | lifetime u32
//   | epoch time u32 | reserved 12
// MAP opcode data (§11.1), after either header:
//   mapping nonce 12 | protocol u8 | reserved 3 | internal port u16
//   | suggested (request) or assigned (response) external port u16
//   | suggested or assigned external IP address 16
// Options may follow a response; they are ignored here.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/time.h"

namespace mw::nat {

constexpr uint8_t kPcpVersion = 2;
constexpr uint8_t kPcpOpcodeMap = 1;
constexpr uint8_t kPcpResponseBit = 0x80;
constexpr uint16_t kPcpServerPort = 5351;
constexpr uint8_t kPcpProtocolUdp = 17;
constexpr size_t kPcpHeaderLen = 24;
constexpr size_t kPcpMapDataLen = 36;
constexpr size_t kPcpMapLen = kPcpHeaderLen + kPcpMapDataLen;  // 60
constexpr size_t kPcpMaxLen = 1100;                            // §7: messages are at most 1100

using PcpNonce = std::array<uint8_t, 12>;

struct PcpMapRequest {
  base::Duration lifetime;  // whole seconds on the wire; zero deletes the mapping (§15)
  base::IpAddress client;   // our address as the gateway sees it (the source of the request)
  PcpNonce nonce{};
  uint8_t protocol = kPcpProtocolUdp;
  uint16_t internal_port = 0;
  uint16_t suggested_port = 0;        // 0: no preference
  base::IpAddress suggested_address;  // empty: no preference (all zeros)
};
std::array<uint8_t, kPcpMapLen> encode_pcp_map_request(const PcpMapRequest& request);

// Result codes (RFC 6887 §7.4): "success", "unsupp_version", "not_authorized", ...
const char* pcp_result_name(uint8_t code);

enum class PcpParseError : uint8_t {
  kShort,          // shorter than a MAP response, longer than 1100 or not a multiple of 4
  kBadVersion,     // not version 2 (a NAT-PMP-only gateway answers with version 0)
  kNotResponse,    // the R bit is clear: a request
  kNotMap,         // another opcode
  kResultCode,     // a MAP response whose result code is not success
  kNonceMismatch,  // a MAP response to another request
  kBadAddress,     // success with an unspecified (all-zero) external address
};
const char* pcp_parse_error_name(PcpParseError e);

struct PcpMapResponse {
  uint8_t result_code = 0;
  base::Duration lifetime;  // how long the mapping lasts (on error: how long the error does)
  uint32_t epoch = 0;       // the server's epoch time (§8.5: a reset gateway lost our mapping)
  PcpNonce nonce{};
  uint8_t protocol = 0;
  uint16_t internal_port = 0;
  base::Endpoint external;  // assigned external address and port
};

// Parses the answer to a MAP request that carried `nonce`. On kResultCode, `response` is still
// set (its result_code and lifetime say why and for how long).
struct PcpParsed {
  std::optional<PcpMapResponse> response;
  PcpParseError error = PcpParseError::kShort;
  bool ok() const { return response && response->result_code == 0; }
};
PcpParsed parse_pcp_map_response(base::Bytes d, const PcpNonce& nonce);

}  // namespace mw::nat
