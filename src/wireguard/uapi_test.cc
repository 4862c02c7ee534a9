// SPDX-License-Identifier: Apache-2.0
// Tests for the wg(8) UAPI codec: requests as wg sends them, replies as wg reads them, rejects.
#include "wireguard/uapi.h"

#include <cctype>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/encoding.h"
#include "wireguard/testing/uapi_test_util.h"

namespace mw::wg::uapi {
namespace {
// --- Framing ---

TEST(UapiFraming, FindRequestEndWaitsForTheEmptyLine) {
  EXPECT_EQ(find_request_end(""), 0u);
  EXPECT_EQ(find_request_end("get=1"), 0u);
  EXPECT_EQ(find_request_end("get=1\n"), 0u);
  EXPECT_EQ(find_request_end("get=1\n\n"), 7u);
  EXPECT_EQ(find_request_end("set=1\nlisten_port=1\n"), 0u);
  EXPECT_EQ(find_request_end("set=1\nlisten_port=1\n\nget=1\n\n"), 21u);
  EXPECT_EQ(find_request_end("\n"), 1u);
}

// A buffer that grows is searched from where the last search stopped, and an end that
// straddles the two reads is still found.
TEST(UapiFraming, FindRequestEndResumesWhereItStopped) {
  EXPECT_EQ(find_request_end("get=1\n\n", 6), 7u) << "the end straddles the last search";
  EXPECT_EQ(find_request_end("get=1\n\n", 5), 7u);
  EXPECT_EQ(find_request_end("set=1\na=1\n", 6), 0u);
  EXPECT_EQ(find_request_end("\n", 1), 0u) << "a lone newline is a request only at the start";
  std::string big = "set=1\n";
  size_t scanned = 0;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(find_request_end(big, scanned), 0u);
    scanned = big.size();
    big += "listen_port=1\n";
  }
  EXPECT_EQ(find_request_end(big + "\n", scanned), big.size() + 1);
}

TEST(UapiFraming, SplitsRequestsFromAStream) {
  std::string stream = kSetconf + "get=1\n\n";
  size_t first = find_request_end(stream);
  ASSERT_EQ(first, kSetconf.size());
  EXPECT_EQ(parsed_set(std::string_view(stream).substr(0, first)).peers.size(), 2u);
  std::string_view rest = std::string_view(stream).substr(first);
  ASSERT_EQ(find_request_end(rest), rest.size());
  auto get = parse_request(rest);
  ASSERT_TRUE(std::holds_alternative<Request>(get));
  EXPECT_TRUE(std::holds_alternative<GetRequest>(std::get<Request>(get)));
}

// --- Requests wg(8) sends ---

TEST(UapiParseGet, GetRequest) {
  auto result = parse_request("get=1\n\n");
  ASSERT_TRUE(std::holds_alternative<Request>(result));
  EXPECT_TRUE(std::holds_alternative<GetRequest>(std::get<Request>(result)));
}

TEST(UapiParseSet, SetconfAsWgSendsIt) {
  SetRequest r = parsed_set(kSetconf);
  ASSERT_TRUE(r.private_key);
  EXPECT_TRUE(same(*r.private_key, kPrivHex));
  EXPECT_EQ(r.listen_port, 51820);
  EXPECT_EQ(r.fwmark, 0u);
  EXPECT_TRUE(r.replace_peers);
  ASSERT_EQ(r.peers.size(), 2u);

  const PeerConfig& a = r.peers[0];
  EXPECT_EQ(a.public_key, public_key(kPeer1Hex));
  EXPECT_FALSE(a.remove);
  EXPECT_FALSE(a.update_only);
  ASSERT_TRUE(a.preshared_key);
  EXPECT_TRUE(same(*a.preshared_key, kPsk1Hex));
  EXPECT_EQ(a.endpoint, endpoint("203.0.113.7:51820"));
  EXPECT_FALSE(a.persistent_keepalive_interval);
  EXPECT_TRUE(a.replace_allowed_ips);
  EXPECT_EQ(a.allowed_ips,
            (std::vector<AllowedIpUpdate>{add("10.100.0.2/32"), add("fd00:100::2/128")}));

  const PeerConfig& b = r.peers[1];
  EXPECT_EQ(b.public_key, public_key(kPeer2Hex));
  EXPECT_FALSE(b.preshared_key);
  ASSERT_TRUE(b.endpoint);
  EXPECT_TRUE(b.endpoint->address.is_v6());
  EXPECT_EQ(b.endpoint->port, 51821);
  EXPECT_EQ(b.persistent_keepalive_interval, 25);
  EXPECT_EQ(b.allowed_ips, (std::vector<AllowedIpUpdate>{add("10.100.1.0/24")}));
}

TEST(UapiParseSet, WgSetPeerRemove) {
  // wg set wg0 peer <key> remove
  SetRequest r = parsed_set("set=1\npublic_key=" + kPeer3Hex + "\nremove=true\n\n");
  ASSERT_EQ(r.peers.size(), 1u);
  EXPECT_EQ(r.peers[0].public_key, public_key(kPeer3Hex));
  EXPECT_TRUE(r.peers[0].remove);
  EXPECT_FALSE(r.private_key);
  EXPECT_FALSE(r.replace_peers);
}

TEST(UapiParseSet, AllZeroPrivateKeyMeansRemove) {
  // wg set wg0 private-key /dev/null: an empty key file is the zero key, which removes the key.
  SetRequest r = parsed_set(set("private_key=" + kZeroHex + "\n"));
  ASSERT_TRUE(r.private_key);  // present: "set it to none", not "leave it"
  EXPECT_TRUE(r.private_key->is_zero());
}

TEST(UapiParseSet, AllZeroPresharedKeyMeansClear) {
  // wg set wg0 peer <key> preshared-key /dev/null persistent-keepalive off
  SetRequest r =
      parsed_set(set_peer("preshared_key=" + kZeroHex + "\npersistent_keepalive_interval=0\n"));
  ASSERT_EQ(r.peers.size(), 1u);
  ASSERT_TRUE(r.peers[0].preshared_key);
  EXPECT_TRUE(r.peers[0].preshared_key->is_zero());
  EXPECT_EQ(r.peers[0].persistent_keepalive_interval, 0);
}

TEST(UapiParseSet, FwmarkZeroMeansOff) {
  // wg set wg0 listen-port 0 fwmark off
  SetRequest r = parsed_set(set("listen_port=0\nfwmark=0\n"));
  EXPECT_EQ(r.listen_port, 0);
  EXPECT_EQ(r.fwmark, 0u);
  EXPECT_EQ(parsed_set(set("fwmark=4294967295\n")).fwmark, 4294967295u);
}

TEST(UapiParseSet, IncrementalAllowedIps) {
  // wg set wg0 peer <key> allowed-ips +10.100.0.2/32,-10.100.9.0/24: no replace_allowed_ips.
  SetRequest r = parsed_set(set_peer("allowed_ip=10.100.0.2/32\nallowed_ip=-10.100.9.0/24\n"));
  ASSERT_EQ(r.peers.size(), 1u);
  EXPECT_FALSE(r.peers[0].replace_allowed_ips);
  EXPECT_EQ(r.peers[0].allowed_ips,
            (std::vector<AllowedIpUpdate>{add("10.100.0.2/32"), {prefix("10.100.9.0/24"), true}}));
}

TEST(UapiParseSet, EmptySetIsANoOp) {
  SetRequest r = parsed_set("set=1\n\n");
  EXPECT_TRUE(r == SetRequest{});
}

TEST(UapiParseSet, UpdateOnlyAndProtocolVersion) {
  SetRequest r = parsed_set(set_peer("update_only=true\nprotocol_version=1\n"));
  ASSERT_EQ(r.peers.size(), 1u);
  EXPECT_TRUE(r.peers[0].update_only);
}

TEST(UapiParseSet, AcceptsWhatWireguardGoAccepts) {
  // Go's hex.DecodeString takes upper case; strconv.ParseUint takes leading zeros.
  std::string upper = kPeer1Hex;
  for (char& c : upper) c = char(std::toupper(static_cast<unsigned char>(c)));
  SetRequest r = parsed_set(set("listen_port=00080\npublic_key=" + upper + "\n"));
  EXPECT_EQ(r.listen_port, 80);
  ASSERT_EQ(r.peers.size(), 1u);
  EXPECT_EQ(r.peers[0].public_key, public_key(kPeer1Hex));
}

TEST(UapiParseSet, AllowedIpHostBitsAreMasked) {
  SetRequest r = parsed_set(set_peer("allowed_ip=10.1.2.3/8\nallowed_ip=fd00::1/64\n"));
  ASSERT_EQ(r.peers.size(), 1u);
  EXPECT_EQ(r.peers[0].allowed_ips,
            (std::vector<AllowedIpUpdate>{add("10.0.0.0/8"), add("fd00::/64")}));
}

TEST(UapiParseSet, RemoveWithOtherKeysIsAccepted) {
  // wireguard-go accepts them (they land on a placeholder peer); the applier ignores them.
  SetRequest r = parsed_set(set_peer("remove=true\nendpoint=1.2.3.4:5\n"));
  ASSERT_EQ(r.peers.size(), 1u);
  EXPECT_TRUE(r.peers[0].remove);
  EXPECT_TRUE(r.peers[0].endpoint);
}

TEST(UapiParseSet, ManyPeers) {
  std::string lines;
  for (int i = 0; i < 10000; ++i) {
    lines += fmt::format("public_key={:064x}\nallowed_ip=10.{}.{}.0/24\n", i, i >> 8, i & 255);
  }
  SetRequest r = parsed_set(set(lines));
  ASSERT_EQ(r.peers.size(), 10000u);
  EXPECT_EQ(r.peers[9999].allowed_ips, (std::vector<AllowedIpUpdate>{add("10.39.15.0/24")}));
}

// --- Writers ---

TEST(UapiFormat, GetResponseAsWgExpectsIt) {
  EXPECT_EQ(format_get_response(two_peer_status()), kGetReply);
}

TEST(UapiFormat, GetResponseOfAnEmptyDevice) {
  EXPECT_EQ(format_get_response(DeviceStatus{}), "errno=0\n\n");
  DeviceStatus zero_key;
  zero_key.private_key.emplace();  // all zeros: no key, as wireguard-go prints it
  EXPECT_EQ(format_get_response(zero_key), "errno=0\n\n");
}

TEST(UapiFormat, Errno) {
  EXPECT_EQ(format_errno(kErrnoOk), "errno=0\n\n");
  EXPECT_EQ(format_errno(kErrnoInvalid), "errno=-22\n\n");  // wireguard-go's IpcErrorInvalid
  EXPECT_EQ(format_errno(kErrnoProtocol), "errno=-71\n\n");
}

TEST(UapiFormat, SetRequestAsWgWritesIt) {
  EXPECT_EQ(format_set_request(parsed_set(kSetconf)), kSetconf);
  std::string remove = "set=1\npublic_key=" + kPeer3Hex + "\nremove=true\n\n";
  EXPECT_EQ(format_set_request(parsed_set(remove)), remove);
  std::string incremental = set_peer("allowed_ip=10.100.0.2/32\nallowed_ip=-10.100.9.0/24\n");
  EXPECT_EQ(format_set_request(parsed_set(incremental)), incremental);
}

// --- Round trips ---

TEST(UapiRoundTrip, SetTextSet) {
  SetRequest r;
  r.private_key = secret(kZeroHex);
  r.listen_port = 0;
  r.fwmark = 0xca6c;
  r.replace_peers = true;
  PeerConfig a;
  a.public_key = public_key(kPeer1Hex);
  a.update_only = true;
  a.preshared_key = secret(kZeroHex);
  a.endpoint = endpoint("[::ffff:203.0.113.7]:0");
  a.persistent_keepalive_interval = 65535;
  a.replace_allowed_ips = true;
  a.allowed_ips = {add("0.0.0.0/0"), add("::/0"), {prefix("fe80::/10"), true}};
  PeerConfig b;
  b.public_key = public_key(kPeer2Hex);
  b.remove = true;
  PeerConfig c;
  c.public_key = public_key(kPeer3Hex);
  r.peers = {a, b, c};

  std::string text = format_set_request(r);
  EXPECT_EQ(find_request_end(text), text.size());
  EXPECT_TRUE(parsed_set(text) == r) << text;

  SetRequest other = r;
  other.peers[0].allowed_ips[2].remove = false;
  EXPECT_FALSE(parsed_set(text) == other);
}

TEST(UapiRoundTrip, StatusTextStatus) {
  DeviceStatus status = two_peer_status();
  status.peers[1].last_handshake_sec = INT64_MAX;
  status.peers[1].last_handshake_nsec = 999999999;
  status.peers[1].rx_bytes = UINT64_MAX;
  status.peers[1].endpoint.reset();
  std::string text = format_get_response(status);
  EXPECT_EQ(find_request_end(text), text.size());
  EXPECT_TRUE(parsed_status(text) == status) << text;
  EXPECT_TRUE(parsed_status(kGetReply) == two_peer_status());
}

// --- Reading get replies ---

TEST(UapiGetResponse, AnyOrderWithinAPeer) {
  // The xplatform page lists a peer's keys in no fixed order; wg(8) reads them in any order.
  std::string reply =
      "listen_port=12912\n"
      "public_key=" +
      kPeer1Hex +
      "\n"
      "allowed_ip=192.168.4.4/32\n"
      "tx_bytes=38333\n"
      "endpoint=[2001:db8::33]:51820\n"
      "rx_bytes=2224\n"
      "errno=0\n\n";
  DeviceStatus s = parsed_status(reply);
  EXPECT_EQ(s.listen_port, 12912);
  EXPECT_FALSE(s.private_key);
  ASSERT_EQ(s.peers.size(), 1u);
  EXPECT_TRUE(s.peers[0].preshared_key.is_zero());  // absent reads as none
  EXPECT_EQ(s.peers[0].tx_bytes, 38333u);
  EXPECT_EQ(s.peers[0].rx_bytes, 2224u);
  EXPECT_EQ(s.peers[0].allowed_ips, std::vector<base::IpPrefix>{prefix("192.168.4.4/32")});
}

TEST(UapiGetResponse, ErrnoReplyIsAnError) {
  EXPECT_EQ(refused_reply("errno=-22\n\n").errno_value, -22);
  EXPECT_EQ(refused_reply("errno=5\n\n").errno_value, 5);
}

TEST(UapiGetResponse, MissingOrMisplacedErrno) {
  EXPECT_EQ(refused_reply("listen_port=1\n\n").errno_value, kErrnoProtocol);
  EXPECT_EQ(refused_reply("errno=0\nlisten_port=1\n\n").errno_value, kErrnoInvalid);
  EXPECT_EQ(refused_reply("errno=\n\n").errno_value, kErrnoInvalid);
  EXPECT_EQ(refused_reply("errno=0").errno_value, kErrnoProtocol);
}

TEST(UapiGetResponse, AllZeroPrivateKeyReadsAsNone) {
  DeviceStatus s = parsed_status("private_key=" + kZeroHex + "\nerrno=0\n\n");
  EXPECT_FALSE(s.private_key);
}

TEST(UapiGetResponse, Rejects) {
  std::string peer = "public_key=" + kPeer1Hex + "\n";
  EXPECT_EQ(refused_reply(peer + "listen_port=1\nerrno=0\n\n").errno_value, kErrnoInvalid);
  EXPECT_EQ(refused_reply(peer + "tx_bytes=1\ntx_bytes=2\nerrno=0\n\n").errno_value, kErrnoInvalid);
  EXPECT_EQ(refused_reply(peer + peer + "errno=0\n\n").errno_value, kErrnoInvalid);
  EXPECT_EQ(refused_reply(peer + "last_handshake_time_nsec=1000000000\nerrno=0\n\n").errno_value,
            kErrnoInvalid);
  EXPECT_EQ(refused_reply(peer + "rx_bytes=18446744073709551616\nerrno=0\n\n").errno_value,
            kErrnoInvalid);
  EXPECT_EQ(refused_reply(peer + "protocol_version=2\nerrno=0\n\n").errno_value, kErrnoInvalid);
  EXPECT_EQ(refused_reply("endpoint=1.2.3.4:5\nerrno=0\n\n").errno_value, kErrnoInvalid);
  EXPECT_EQ(refused_reply("bogus=1\nerrno=0\n\n").errno_value, kErrnoInvalid);
}

TEST(UapiGetResponse, ZonedEndpointIsRefused) {
  // base::Endpoint has no zone, so "[fe80::1%2]:51820" cannot be represented.
  std::string reply = "public_key=" + kPeer1Hex + "\nendpoint=[fe80::1%2]:51820\nerrno=0\n\n";
  EXPECT_EQ(refused_reply(reply).errno_value, kErrnoInvalid);
}

}  // namespace
}  // namespace mw::wg::uapi
