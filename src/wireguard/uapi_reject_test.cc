// SPDX-License-Identifier: Apache-2.0
// UAPI codec reject paths: every way a request or reply is refused, each with its errno.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "wireguard/testing/uapi_test_util.h"
#include "wireguard/uapi.h"

namespace mw::wg::uapi {
namespace {

// --- Every way a request is refused ---

TEST(UapiReject, UnknownDeviceKey) {
  EXPECT_EQ(refused(set("mtu=1420\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, UnknownPeerKey) {
  EXPECT_EQ(refused(set_peer("allowed_ips=10.0.0.0/8\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, PeerKeyBeforePublicKey) {
  ParseError e = refused(set("endpoint=203.0.113.7:51820\npublic_key=" + kPeer1Hex + "\n"));
  EXPECT_EQ(e.errno_value, kErrnoInvalid);
  EXPECT_NE(e.message.find("before any public_key"), std::string::npos) << e.message;
  EXPECT_EQ(refused(set("allowed_ip=10.0.0.0/8\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set("remove=true\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, DeviceKeyAfterPublicKey) {
  EXPECT_EQ(refused(set_peer("listen_port=51820\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("private_key=" + kPrivHex + "\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, KeyWithBadHexLength) {
  EXPECT_EQ(refused(set("public_key=" + kPeer1Hex.substr(0, 63) + "\n")).errno_value,
            kErrnoInvalid);
  EXPECT_EQ(refused(set("public_key=" + kPeer1Hex + "00\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set("public_key=\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, KeyNotHex) {
  std::string bad = kPeer1Hex;
  bad[10] = 'g';
  EXPECT_EQ(refused(set("public_key=" + bad + "\n")).errno_value, kErrnoInvalid);
  bad[10] = ' ';
  EXPECT_EQ(refused(set_peer("preshared_key=" + bad + "\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, MessageNeverEchoesKeyMaterial) {
  std::string almost = kPrivHex.substr(0, 63) + "x";
  ParseError e = refused(set("private_key=" + almost + "\n"));
  EXPECT_EQ(e.errno_value, kErrnoInvalid);
  EXPECT_EQ(e.message.find(kPrivHex.substr(0, 16)), std::string::npos) << e.message;
}

TEST(UapiReject, ListenPort65536) {
  EXPECT_EQ(refused(set("listen_port=65536\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, NumberWithSignSpaceOrNothing) {
  for (const char* v : {"-1", "+1", " 1", "1 ", "", "0x10", "1e3"}) {
    EXPECT_EQ(refused(set(std::string("listen_port=") + v + "\n")).errno_value, kErrnoInvalid) << v;
  }
}

TEST(UapiReject, FwmarkOverflow) {
  EXPECT_EQ(refused(set("fwmark=4294967296\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set("fwmark=99999999999999999999999\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, PersistentKeepaliveOverflow) {
  EXPECT_EQ(refused(set_peer("persistent_keepalive_interval=65536\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, ProtocolVersion2) {
  EXPECT_EQ(refused(set_peer("protocol_version=2\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, EndpointV6WithoutBrackets) {
  EXPECT_EQ(refused(set_peer("endpoint=2001:db8::7:51820\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, EndpointHostnameOrBadPort) {
  // wg(8) resolves names before it sends; the UAPI carries numeric endpoints only.
  EXPECT_EQ(refused(set_peer("endpoint=vpn.example.com:51820\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("endpoint=203.0.113.7:65536\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("endpoint=203.0.113.7\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("endpoint=[203.0.113.7]:1\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("endpoint=\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, PrefixLength33) {
  EXPECT_EQ(refused(set_peer("allowed_ip=10.0.0.0/33\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, PrefixLength129) {
  EXPECT_EQ(refused(set_peer("allowed_ip=fd00::/129\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, PrefixWithoutLengthOrWithLeadingZero) {
  // netip.ParsePrefix wants the "/bits" and refuses a leading zero in it.
  EXPECT_EQ(refused(set_peer("allowed_ip=10.0.0.1\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("allowed_ip=10.0.0.0/\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("allowed_ip=10.0.0.0/08\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("allowed_ip=-\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("allowed_ip=--10.0.0.0/8\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, BooleanOtherThanTrue) {
  EXPECT_EQ(refused(set("replace_peers=false\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("remove=1\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("update_only=TRUE\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("replace_allowed_ips=\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, DuplicateDeviceKey) {
  EXPECT_EQ(refused(set("listen_port=1\nlisten_port=2\n")).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused(set("replace_peers=true\nreplace_peers=true\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, DuplicatePeerKey) {
  EXPECT_EQ(refused(set_peer("endpoint=1.2.3.4:5\nendpoint=1.2.3.4:6\n")).errno_value,
            kErrnoInvalid);
  EXPECT_EQ(refused(set_peer("protocol_version=1\nprotocol_version=1\n")).errno_value,
            kErrnoInvalid);
}

TEST(UapiReject, RepeatedPublicKey) {
  // xplatform: "The same public key value may not repeat during a single message."
  EXPECT_EQ(refused(set("public_key=" + kPeer1Hex + "\npublic_key=" + kPeer2Hex +
                        "\npublic_key=" + kPeer1Hex + "\n"))
                .errno_value,
            kErrnoInvalid);
}

TEST(UapiReject, ReplaceAllowedIpsAfterAllowedIp) {
  EXPECT_EQ(refused(set_peer("allowed_ip=10.0.0.0/8\nreplace_allowed_ips=true\n")).errno_value,
            kErrnoInvalid);
}

TEST(UapiReject, LineWithoutEquals) {
  EXPECT_EQ(refused(set("listen_port\n")).errno_value, kErrnoProtocol);
  ParseError e = refused(set("private_key" + kPrivHex + "\n"));  // '=' lost: not echoed
  EXPECT_EQ(e.errno_value, kErrnoProtocol);
  EXPECT_EQ(e.message.find(kPrivHex.substr(0, 16)), std::string::npos) << e.message;
}

TEST(UapiReject, CarriageReturn) {
  EXPECT_EQ(refused("set=1\r\nlisten_port=1\r\n\r\n").errno_value, kErrnoProtocol);
  EXPECT_EQ(refused(set("listen_port=1\r\n")).errno_value, kErrnoInvalid);
}

TEST(UapiReject, MissingFinalEmptyLine) {
  EXPECT_EQ(refused("set=1\nlisten_port=1\n").errno_value, kErrnoProtocol);
  EXPECT_EQ(refused("get=1\n").errno_value, kErrnoProtocol);
  EXPECT_EQ(refused("get=1").errno_value, kErrnoProtocol);
}

TEST(UapiReject, BytesAfterTheEmptyLine) {
  EXPECT_EQ(refused("get=1\n\nget=1\n\n").errno_value, kErrnoProtocol);
}

TEST(UapiReject, Get2) {
  ParseError e = refused("get=2\n\n");
  EXPECT_EQ(e.errno_value, kErrnoProtocol);
  EXPECT_TRUE(e.hang_up);  // wireguard-go hangs up on an unknown operation
  EXPECT_TRUE(refused("set=2\n\n").hang_up);
  EXPECT_TRUE(refused("\n").hang_up);
  EXPECT_TRUE(refused("listen_port=1\n\n").hang_up);
}

TEST(UapiReject, GetWithMoreLines) {
  // wireguard-go: "trailing character in UAPI get" (IpcErrorInvalid).
  ParseError e = refused("get=1\nlisten_port=1\n\n");
  EXPECT_EQ(e.errno_value, kErrnoInvalid);
  EXPECT_FALSE(e.hang_up);
}

TEST(UapiReject, EmptyInput) { EXPECT_EQ(refused("").errno_value, kErrnoProtocol); }

TEST(UapiReject, EmbeddedNul) {
  using namespace std::string_literals;
  EXPECT_EQ(refused("set=1\nlisten_port=1\0\n\n"s).errno_value, kErrnoInvalid);
  EXPECT_EQ(refused("get=1\n\n\0"s).errno_value, kErrnoInvalid);
}

TEST(UapiReject, OverSize) {
  std::string text = "set=1\npublic_key=" + kPeer1Hex + "\n";
  while (text.size() <= kMaxRequestLen) text += "allowed_ip=10.0.0.0/8\n";
  text += "\n";
  ParseError e = refused(text);
  EXPECT_EQ(e.errno_value, kErrnoTooBig);
  EXPECT_LT(e.message.size(), 200u);
}

TEST(UapiReject, LongGarbageIsShortenedInTheMessage) {
  ParseError e = refused(set(std::string(100000, 'k') + "=1\n"));
  EXPECT_EQ(e.errno_value, kErrnoInvalid);
  EXPECT_LT(e.message.size(), 200u);
}

}  // namespace
}  // namespace mw::wg::uapi
