// SPDX-License-Identifier: Apache-2.0
// The PCP MAP codec (RFC 6887 §7, §11).
#include "nat/pcp.h"

#include <algorithm>

namespace mw::nat {
namespace {

constexpr std::array<uint8_t, 12> kV4MappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// An address as PCP writes it (§5): IPv4 as IPv4-mapped IPv6, none as all zeros.
void write_address(uint8_t* out, const base::IpAddress& a) {
  std::fill_n(out, 16, 0);
  if (a.is_v4()) {
    std::copy(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), out);
    std::copy_n(a.data(), 4, out + 12);
  } else if (a.is_v6()) {
    std::copy_n(a.data(), 16, out);
  }
}

base::IpAddress read_address(const uint8_t* in) {
  if (std::equal(kV4MappedPrefix.begin(), kV4MappedPrefix.end(), in))
    return base::IpAddress::v4({in[12], in[13], in[14], in[15]});
  std::array<uint8_t, 16> a;
  std::copy_n(in, 16, a.begin());
  return base::IpAddress::v6(a);
}

}  // namespace

std::array<uint8_t, kPcpMapLen> encode_pcp_map_request(const PcpMapRequest& r) {
  std::array<uint8_t, kPcpMapLen> out{};
  out[0] = kPcpVersion;
  out[1] = kPcpOpcodeMap;
  int64_t seconds = std::clamp<int64_t>(r.lifetime.to_millis() / 1000, 0, UINT32_MAX);
  base::store_u32be(out.data() + 4, uint32_t(seconds));
  write_address(out.data() + 8, r.client);
  uint8_t* map = out.data() + kPcpHeaderLen;
  std::copy(r.nonce.begin(), r.nonce.end(), map);
  map[12] = r.protocol;
  base::store_u16be(map + 16, r.internal_port);
  base::store_u16be(map + 18, r.suggested_port);
  write_address(map + 20, r.suggested_address);
  return out;
}

const char* pcp_result_name(uint8_t code) {
  static constexpr std::array<const char*, 14> kNames = {
      "success",          "unsupp_version",        "not_authorized",   "malformed_request",
      "unsupp_opcode",    "unsupp_option",         "malformed_option", "network_failure",
      "no_resources",     "unsupp_protocol",       "user_ex_quota",    "cannot_provide_external",
      "address_mismatch", "excessive_remote_peers"};
  return code < kNames.size() ? kNames[code] : "unknown";
}

const char* pcp_parse_error_name(PcpParseError e) {
  switch (e) {
    case PcpParseError::kShort: return "short";
    case PcpParseError::kBadVersion: return "bad_version";
    case PcpParseError::kNotResponse: return "not_response";
    case PcpParseError::kNotMap: return "not_map";
    case PcpParseError::kResultCode: return "result_code";
    case PcpParseError::kNonceMismatch: return "nonce_mismatch";
    case PcpParseError::kBadAddress: return "bad_address";
  }
  return "unknown";
}

PcpParsed parse_pcp_map_response(base::Bytes d, const PcpNonce& nonce) {
  PcpParsed out;
  // A version-0 (NAT-PMP) or unsupported-version answer may be shorter than a MAP response:
  // its version byte is still worth reporting.
  if (d.size() >= 2 && d[0] != kPcpVersion) {
    out.error = PcpParseError::kBadVersion;
    return out;
  }
  if (d.size() < kPcpMapLen || d.size() > kPcpMaxLen || d.size() % 4 != 0) {
    out.error = PcpParseError::kShort;
    return out;
  }
  if (!(d[1] & kPcpResponseBit)) {
    out.error = PcpParseError::kNotResponse;
    return out;
  }
  if ((d[1] & 0x7f) != kPcpOpcodeMap) {
    out.error = PcpParseError::kNotMap;
    return out;
  }
  PcpMapResponse r;
  r.result_code = d[3];
  r.lifetime = base::Duration::seconds(base::load_u32be(d.data() + 4));
  r.epoch = base::load_u32be(d.data() + 8);
  const uint8_t* map = d.data() + kPcpHeaderLen;
  std::copy_n(map, r.nonce.size(), r.nonce.begin());
  if (r.nonce != nonce) {
    out.error = PcpParseError::kNonceMismatch;
    return out;
  }
  r.protocol = map[12];
  r.internal_port = base::load_u16be(map + 16);
  r.external = {read_address(map + 20), base::load_u16be(map + 18)};
  out.response = r;
  if (r.result_code != 0) {
    out.error = PcpParseError::kResultCode;
    return out;
  }
  const uint8_t* a = r.external.address.data();
  if (std::all_of(a, a + r.external.address.length(), [](uint8_t b) { return b == 0; })) {
    out.response.reset();
    out.error = PcpParseError::kBadAddress;
  }
  return out;
}

}  // namespace mw::nat
