// SPDX-License-Identifier: Apache-2.0
#include "nat/pcp.h"

#include <gtest/gtest.h>

#include <vector>

namespace mw::nat {
namespace {

const PcpNonce kNonce = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

// A MAP success response granting 10.99.1.6:51821 for 7200 s, built by hand (RFC 6887 §7.2,
// §11.1).
std::vector<uint8_t> map_response(uint8_t result = 0, const PcpNonce& nonce = kNonce) {
  std::vector<uint8_t> d(kPcpMapLen, 0);
  d[0] = 2;
  d[1] = 0x81;
  d[3] = result;
  base::store_u32be(d.data() + 4, 7200);
  base::store_u32be(d.data() + 8, 12345);
  std::copy(nonce.begin(), nonce.end(), d.begin() + 24);
  d[36] = 17;
  base::store_u16be(d.data() + 40, 51821);
  base::store_u16be(d.data() + 42, 51821);
  d[54] = 0xff;
  d[55] = 0xff;
  d[56] = 10;
  d[57] = 99;
  d[58] = 1;
  d[59] = 6;
  return d;
}

TEST(Pcp, EncodesAMapRequest) {
  PcpMapRequest r;
  r.lifetime = base::Duration::seconds(7200);
  r.client = *base::IpAddress::parse("10.206.0.2");
  r.nonce = kNonce;
  r.internal_port = 51821;
  r.suggested_port = 51821;
  auto d = encode_pcp_map_request(r);
  ASSERT_EQ(d.size(), 60u);
  EXPECT_EQ(d[0], 2);  // version
  EXPECT_EQ(d[1], 1);  // R = 0, MAP
  EXPECT_EQ(base::load_u32be(d.data() + 4), 7200u);
  const std::vector<uint8_t> client = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 206, 0, 2};
  EXPECT_EQ(std::vector<uint8_t>(d.begin() + 8, d.begin() + 24), client);
  EXPECT_TRUE(std::equal(kNonce.begin(), kNonce.end(), d.begin() + 24));
  EXPECT_EQ(d[36], 17);  // UDP
  EXPECT_EQ(d[37] | d[38] | d[39], 0);
  EXPECT_EQ(base::load_u16be(d.data() + 40), 51821);
  EXPECT_EQ(base::load_u16be(d.data() + 42), 51821);
  // No suggested address: all zeros.
  EXPECT_TRUE(std::all_of(d.begin() + 44, d.end(), [](uint8_t b) { return b == 0; }));
  // A suggested IPv4 address is IPv4-mapped too.
  r.suggested_address = *base::IpAddress::parse("10.99.1.6");
  auto e = encode_pcp_map_request(r);
  EXPECT_EQ(e[54], 0xff);
  EXPECT_EQ(e[59], 6);
}

TEST(Pcp, ParsesAMapSuccess) {
  PcpParsed p = parse_pcp_map_response(map_response(), kNonce);
  ASSERT_TRUE(p.ok()) << pcp_parse_error_name(p.error);
  EXPECT_EQ(p.response->lifetime, base::Duration::seconds(7200));
  EXPECT_EQ(p.response->epoch, 12345u);
  EXPECT_EQ(p.response->protocol, 17);
  EXPECT_EQ(p.response->internal_port, 51821);
  EXPECT_EQ(p.response->external.to_string(), "10.99.1.6:51821");
  // Options after the MAP data are ignored.
  auto with_option = map_response();
  with_option.insert(with_option.end(), {0x12, 0, 0, 0});
  EXPECT_TRUE(parse_pcp_map_response(with_option, kNonce).ok());
}

TEST(Pcp, RejectsWhatIsNotOurAnswer) {
  auto error_of = [](const std::vector<uint8_t>& d) {
    PcpParsed p = parse_pcp_map_response(d, kNonce);
    EXPECT_FALSE(p.ok());
    return std::string(pcp_parse_error_name(p.error));
  };
  auto v0 = map_response();
  v0[0] = 0;  // a NAT-PMP gateway
  EXPECT_EQ(error_of(v0), "bad_version");
  EXPECT_EQ(error_of({0, 0x81, 0, 1}), "bad_version");
  auto request = map_response();
  request[1] = 0x01;
  EXPECT_EQ(error_of(request), "not_response");
  auto peer = map_response();
  peer[1] = 0x82;
  EXPECT_EQ(error_of(peer), "not_map");
  auto short_one = map_response();
  short_one.resize(56);
  EXPECT_EQ(error_of(short_one), "short");
  short_one.resize(61);
  EXPECT_EQ(error_of(short_one), "short");  // not a multiple of 4
  EXPECT_EQ(error_of({}), "short");
  EXPECT_EQ(error_of(map_response(0, PcpNonce{})), "nonce_mismatch");
  auto zero = map_response();
  std::fill(zero.begin() + 44, zero.end(), 0);
  EXPECT_EQ(error_of(zero), "bad_address");
}

TEST(Pcp, AResultCodeIsReportedWithItsLifetime) {
  PcpParsed p = parse_pcp_map_response(map_response(8), kNonce);
  EXPECT_FALSE(p.ok());
  EXPECT_EQ(p.error, PcpParseError::kResultCode);
  ASSERT_TRUE(p.response);
  EXPECT_EQ(pcp_result_name(p.response->result_code), std::string("no_resources"));
  EXPECT_EQ(pcp_result_name(200), std::string("unknown"));
}

TEST(Pcp, RequestParsesBackAsItsOwnAnswerOnceTheBitsAreFlipped) {
  PcpMapRequest r;
  r.lifetime = base::Duration::seconds(60);
  r.client = *base::IpAddress::parse("10.206.0.2");
  r.nonce = kNonce;
  r.internal_port = 4000;
  r.suggested_port = 4001;
  r.suggested_address = *base::IpAddress::parse("2001:db8::1");
  auto d = encode_pcp_map_request(r);
  d[1] |= kPcpResponseBit;
  PcpParsed p = parse_pcp_map_response(d, kNonce);
  ASSERT_TRUE(p.response);
  EXPECT_EQ(p.response->external.to_string(), "[2001:db8::1]:4001");
  EXPECT_EQ(p.response->internal_port, 4000);
}

}  // namespace
}  // namespace mw::nat
