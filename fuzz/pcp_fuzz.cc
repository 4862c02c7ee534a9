// SPDX-License-Identifier: Apache-2.0
// Fuzzes the PCP MAP response parser (nat/pcp.h, RFC 6887). Invariants: no crash, no sanitizer
// report; only a version-2 MAP response of a valid length with our nonce parses; success means
// result code 0 and a specified external address; a request we encode, with the R bit set,
// parses back to what it asked for.
#include <cstdint>
#include <cstring>

#include "fuzz_check.h"
#include "nat/pcp.h"

using namespace mw;
using namespace mw::nat;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  base::Bytes in(data, size);
  // The nonce the fuzzer's input carries, so that the deeper checks are reached.
  PcpNonce nonce{};
  if (size >= kPcpHeaderLen + 12) std::memcpy(nonce.data(), data + kPcpHeaderLen, 12);
  PcpParsed p = parse_pcp_map_response(in, nonce);
  if (p.response) {
    fuzz::check(size >= kPcpMapLen && size <= kPcpMaxLen && size % 4 == 0);
    fuzz::check(data[0] == kPcpVersion && data[1] == (kPcpResponseBit | kPcpOpcodeMap));
    fuzz::check(p.response->nonce == nonce);
    fuzz::check(p.ok() == (p.response->result_code == 0));
    if (p.ok()) fuzz::check(!p.response->external.address.empty());
  }
  if (size >= 20) {
    PcpMapRequest r;
    r.lifetime = base::Duration::seconds(base::load_u32be(data));
    std::memcpy(r.nonce.data(), data + 4, 12);
    r.internal_port = base::load_u16be(data + 16);
    r.suggested_port = base::load_u16be(data + 18);
    r.client = base::IpAddress::v4({10, 0, 0, 1});
    r.suggested_address = base::IpAddress::v4({10, 99, 1, 6});
    auto d = encode_pcp_map_request(r);
    d[1] |= kPcpResponseBit;
    PcpParsed back = parse_pcp_map_response(d, r.nonce);
    fuzz::check(back.ok() && back.response->internal_port == r.internal_port &&
                back.response->external.port == r.suggested_port &&
                back.response->lifetime == r.lifetime);
  }
  return 0;
}
