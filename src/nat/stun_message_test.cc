// SPDX-License-Identifier: Apache-2.0
#include "nat/stun_message.h"

#include <gtest/gtest.h>

#include <vector>

namespace mw::nat {
namespace {

// RFC 5769 §2.2: the sample IPv4 response (SOFTWARE, XOR-MAPPED-ADDRESS 192.0.2.1:32853,
// MESSAGE-INTEGRITY, FINGERPRINT).
const std::vector<uint8_t> kIpv4Response = {
    0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43,
    0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99, 0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
    0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7, 0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96};

// RFC 5769 §2.3: the sample IPv6 response, XOR-MAPPED-ADDRESS
// [2001:db8:1234:5678:11:2233:4455:6677]:32853.
const std::vector<uint8_t> kIpv6Response = {
    0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86,
    0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, 0x20, 0x76, 0x65, 0x63,
    0x74, 0x6f, 0x72, 0x20, 0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47, 0x01, 0x13, 0xa9, 0xfa,
    0xa5, 0xd3, 0xf1, 0x79, 0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9, 0x00, 0x08, 0x00, 0x14,
    0xa3, 0x82, 0x95, 0x4e, 0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c, 0x82, 0x92, 0xc2, 0x75,
    0xbf, 0xe3, 0xed, 0x41, 0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c};

const TransactionId kSampleId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};

// A success response with one attribute, the rest built by hand.
std::vector<uint8_t> response_with(uint16_t type, std::vector<uint8_t> attrs) {
  std::vector<uint8_t> d(20);
  base::store_u16be(d.data(), type);
  base::store_u16be(d.data() + 2, uint16_t(attrs.size()));
  base::store_u32be(d.data() + 4, kStunMagicCookie);
  for (size_t i = 0; i < 12; ++i) d[8 + i] = uint8_t(i + 1);
  d.insert(d.end(), attrs.begin(), attrs.end());
  return d;
}

TEST(StunMessage, Crc32KnownAnswer) { EXPECT_EQ(crc32(base::as_bytes("123456789")), 0xCBF43926u); }

TEST(StunMessage, Rfc5769Ipv4Response) {
  ASSERT_TRUE(is_stun(kIpv4Response));
  StunParsed p = parse_binding_response(kIpv4Response);
  ASSERT_TRUE(p.message) << stun_parse_error_name(p.error);
  EXPECT_EQ(p.message->type, kStunBindingSuccess);
  EXPECT_EQ(p.message->transaction, kSampleId);
  EXPECT_EQ(p.message->mapped.to_string(), "192.0.2.1:32853");
}

TEST(StunMessage, Rfc5769Ipv6Response) {
  StunParsed p = parse_binding_response(kIpv6Response);
  ASSERT_TRUE(p.message) << stun_parse_error_name(p.error);
  EXPECT_EQ(p.message->mapped.to_string(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
}

TEST(StunMessage, RejectsABadFingerprint) {
  auto d = kIpv4Response;
  d.back() ^= 1;
  EXPECT_EQ(parse_binding_response(d).error, StunParseError::kBadFingerprint);
  // A changed byte the fingerprint covers.
  d = kIpv4Response;
  d[25] ^= 1;
  EXPECT_EQ(parse_binding_response(d).error, StunParseError::kBadFingerprint);
}

TEST(StunMessage, RejectsWhatIsNotStun) {
  auto cut = kIpv4Response;
  cut.pop_back();
  EXPECT_FALSE(is_stun(cut));
  EXPECT_EQ(parse_binding_response(cut).error, StunParseError::kNotStun);
  auto cookie = kIpv4Response;
  cookie[4] ^= 1;
  EXPECT_FALSE(is_stun(cookie));
  auto top_bits = kIpv4Response;
  top_bits[0] |= 0x40;
  EXPECT_FALSE(is_stun(top_bits));
  // A WireGuard initiation starts 01 00 00 00: not STUN.
  std::vector<uint8_t> wg(148, 0);
  wg[0] = 1;
  EXPECT_FALSE(is_stun(wg));
  // Length field not a multiple of 4.
  auto odd = response_with(kStunBindingSuccess, {0, 0, 0, 0});
  base::store_u16be(odd.data() + 2, 3);
  odd.pop_back();
  EXPECT_FALSE(is_stun(odd));
}

TEST(StunMessage, RejectsAnAttributePastTheEnd) {
  auto d = response_with(kStunBindingSuccess, {0x00, 0x20, 0x00, 0x0c, 0, 1, 0, 0});
  EXPECT_EQ(parse_binding_response(d).error, StunParseError::kMalformed);
}

TEST(StunMessage, RejectsABadAddressFamilyOrLength) {
  // Family 3.
  auto d = response_with(kStunBindingSuccess, {0x00, 0x20, 0x00, 0x08, 0, 3, 1, 2, 3, 4, 5, 6});
  EXPECT_EQ(parse_binding_response(d).error, StunParseError::kMalformed);
  // IPv4 family with an IPv6 length.
  std::vector<uint8_t> attr = {0x00, 0x20, 0x00, 0x14, 0, 1, 1, 2};
  attr.resize(24, 0);
  EXPECT_EQ(parse_binding_response(response_with(kStunBindingSuccess, attr)).error,
            StunParseError::kMalformed);
}

TEST(StunMessage, SuccessWithoutAnAddressIsRejected) {
  auto d = response_with(kStunBindingSuccess, {0x80, 0x22, 0x00, 0x01, 'x', 0, 0, 0});
  EXPECT_EQ(parse_binding_response(d).error, StunParseError::kNoAddress);
}

TEST(StunMessage, PlainMappedAddressOfAnOldServer) {
  auto d = response_with(kStunBindingSuccess,
                         {0x00, 0x01, 0x00, 0x08, 0, 1, 0x9c, 0x40, 198, 51, 100, 7});
  StunParsed p = parse_binding_response(d);
  ASSERT_TRUE(p.message);
  EXPECT_EQ(p.message->mapped.to_string(), "198.51.100.7:40000");
}

TEST(StunMessage, XorMappedWinsOverMapped) {
  // MAPPED-ADDRESS 198.51.100.7:40000 first, then XOR-MAPPED-ADDRESS of 192.0.2.1:32853.
  auto d = response_with(kStunBindingSuccess,
                         {0x00, 0x01, 0x00, 0x08, 0, 1, 0x9c, 0x40, 198,  51,   100,  7,  //
                          0x00, 0x20, 0x00, 0x08, 0, 1, 0xa1, 0x47, 0xe1, 0x12, 0xa6, 0x43});
  StunParsed p = parse_binding_response(d);
  ASSERT_TRUE(p.message);
  EXPECT_EQ(p.message->mapped.to_string(), "192.0.2.1:32853");
}

TEST(StunMessage, Ipv4MappedIpv6IsIpv4) {
  // ::ffff:192.0.2.1 XORed with the cookie and the transaction id 1..12.
  std::vector<uint8_t> addr = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1};
  std::vector<uint8_t> key = {0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<uint8_t> attr = {0x00, 0x20, 0x00, 0x14, 0, 2, 0xa1, 0x47};
  for (size_t i = 0; i < 16; ++i) attr.push_back(uint8_t(addr[i] ^ key[i]));
  StunParsed p = parse_binding_response(response_with(kStunBindingSuccess, attr));
  ASSERT_TRUE(p.message);
  EXPECT_EQ(p.message->mapped.to_string(), "192.0.2.1:32853");
}

TEST(StunMessage, ErrorResponseCarriesItsCode) {
  auto d = response_with(kStunBindingError, {0x00, 0x09, 0x00, 0x04, 0, 0, 4, 20});
  StunParsed p = parse_binding_response(d);
  ASSERT_TRUE(p.message);
  EXPECT_EQ(p.message->type, kStunBindingError);
  EXPECT_EQ(p.message->error_code, 420);
}

TEST(StunMessage, RequestsAreNotResponses) {
  TransactionId id = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  auto request = encode_binding_request(id);
  EXPECT_EQ(parse_binding_response(request).error, StunParseError::kNotResponse);
  auto parsed = parse_binding_request(request);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, id);
  EXPECT_FALSE(parse_binding_request(kIpv4Response));
}

TEST(StunMessage, RequestBytesAndFingerprint) {
  TransactionId id = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  auto r = encode_binding_request(id);
  const std::vector<uint8_t> head = {0x00, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42,
                                     0,    1,    2,    3,    4,    5,    6,    7,
                                     8,    9,    10,   11,   0x80, 0x28, 0x00, 0x04};
  EXPECT_EQ(std::vector<uint8_t>(r.begin(), r.begin() + 24), head);
  EXPECT_EQ(base::load_u32be(r.data() + 24),
            crc32(base::Bytes(r.data(), 20)) ^ kStunFingerprintXor);
  EXPECT_TRUE(is_stun(r));
  // A request with a broken fingerprint is not taken.
  r[27] ^= 1;
  EXPECT_FALSE(parse_binding_request(r));
}

TEST(StunMessage, ChangeRequestBytesAndFingerprint) {
  TransactionId id = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
  auto r = encode_change_request(id, kStunChangeIp | kStunChangePort);
  const std::vector<uint8_t> head = {
      0x00, 0x01, 0x00, 0x10, 0x21, 0x12, 0xa4, 0x42, 0, 1, 2, 3,    4,    5,    6,    7,
      8,    9,    10,   11,   0x00, 0x03, 0x00, 0x04, 0, 0, 0, 0x06, 0x80, 0x28, 0x00, 0x04};
  EXPECT_EQ(std::vector<uint8_t>(r.begin(), r.begin() + 32), head);
  EXPECT_EQ(base::load_u32be(r.data() + 32),
            crc32(base::Bytes(r.data(), 28)) ^ kStunFingerprintXor);
  auto parsed = parse_binding_request(r);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(*parsed, id);
  EXPECT_EQ(encode_change_request(id, kStunChangePort)[27], 0x02);
  r[20] ^= 1;  // the fingerprint no longer matches
  EXPECT_FALSE(parse_binding_request(r));
}

// An answer of Debian's stund (an RFC 3489 server) to a Binding request from 10.1.0.9:40000,
// captured in a network namespace: MAPPED-, SOURCE-, CHANGED- and XOR-MAPPED-ADDRESS and
// SOFTWARE "Vovida.org 0.97".
TEST(StunMessage, Rfc3489ServerAnswerGivesItsOtherAddress) {
  auto d =
      response_with(kStunBindingSuccess,
                    {0x00, 0x01, 0x00, 0x08, 0x00, 0x01, 0x9c, 0x40, 0x0a, 0x01, 0x00, 0x09,  //
                     0x00, 0x04, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x96, 0x0a, 0x01, 0x00, 0x01,  //
                     0x00, 0x05, 0x00, 0x08, 0x00, 0x01, 0x0d, 0x97, 0x0a, 0x01, 0x00, 0x02,  //
                     0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xbd, 0x52, 0x2b, 0x13, 0xa4, 0x4b,  //
                     0x80, 0x22, 0x00, 0x10, 'V',  'o',  'v',  'i',  'd',  'a',  '.',  'o',
                     'r',  'g',  ' ',  '0',  '.',  '9',  '7',  0x00});
  StunParsed p = parse_binding_response(d);
  ASSERT_TRUE(p.message) << stun_parse_error_name(p.error);
  EXPECT_EQ(p.message->mapped.to_string(), "10.1.0.9:40000");
  ASSERT_TRUE(p.message->other);
  EXPECT_EQ(p.message->other->to_string(), "10.1.0.2:3479");
}

TEST(StunMessage, OtherAddressWinsOverChangedAddress) {
  auto d = response_with(kStunBindingSuccess,
                         {0x00, 0x01, 0x00, 0x08, 0, 1, 0x9c, 0x40, 198, 51, 100, 7,  //
                          0x00, 0x05, 0x00, 0x08, 0, 1, 0x0d, 0x97, 198, 51, 100, 2,  //
                          0x80, 0x2c, 0x00, 0x08, 0, 1, 0x0d, 0x98, 198, 51, 100, 3});
  StunParsed p = parse_binding_response(d);
  ASSERT_TRUE(p.message);
  ASSERT_TRUE(p.message->other);
  EXPECT_EQ(p.message->other->to_string(), "198.51.100.3:3480");
  // Without either, a server has no other address.
  auto plain = response_with(kStunBindingSuccess,
                             {0x00, 0x01, 0x00, 0x08, 0, 1, 0x9c, 0x40, 198, 51, 100, 7});
  EXPECT_FALSE(parse_binding_response(plain).message->other);
}

TEST(StunMessage, RejectsABadOtherAddress) {
  auto d = response_with(kStunBindingSuccess,
                         {0x00, 0x01, 0x00, 0x08, 0, 1, 0x9c, 0x40, 198, 51, 100, 7,  //
                          0x80, 0x2c, 0x00, 0x08, 0, 7, 0x0d, 0x98, 198, 51, 100, 3});
  EXPECT_EQ(parse_binding_response(d).error, StunParseError::kMalformed);
}

}  // namespace
}  // namespace mw::nat
