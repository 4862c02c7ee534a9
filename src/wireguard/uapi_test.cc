// SPDX-License-Identifier: Apache-2.0
// Tests for the wg(8) UAPI codec: requests as wg sends them, replies as wg reads them, rejects.
#include "wireguard/uapi.h"

#include <cctype>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "base/encoding.h"

namespace mw::wg::uapi {
namespace {

// Keys as `wg genkey` / `wg genpsk` would make them, in the hex the UAPI carries.
const std::string kPrivHex = "586995bc9aca484aa1a99710ffe32ed723172e8d55194a9ee4d31147994ca07a";
const std::string kPeer1Hex = "43cc3da7274eee39a0dc5068495aadd6c03a647acd4ab297ca7e54a32a898130";
const std::string kPsk1Hex = "3075f3ac890444eb95ee4627456e91c15b28552106617eab0422421ca822a02a";
const std::string kPeer2Hex = "4af584e377cc66c9181ddb8c8bb04ad4c81aedba2a110d18615a1dd8d422339c";
const std::string kPeer3Hex = "01b1166b427a7063a58fe8e03158d8d3d458e7ffe96090fa0e85d88b560d900b";
const std::string kZeroHex(64, '0');

// `wg setconf wg0 wg0.conf` for a config with ListenPort, two [Peer]s and no FwMark: setconf
// always sends private_key, listen_port, fwmark and replace_peers, and replace_allowed_ips for
// every peer (wireguard-tools config.c, ipc-uapi.h).
const std::string kSetconf =
    "set=1\n"
    "private_key=" +
    kPrivHex +
    "\n"
    "listen_port=51820\n"
    "fwmark=0\n"
    "replace_peers=true\n"
    "public_key=" +
    kPeer1Hex +
    "\n"
    "preshared_key=" +
    kPsk1Hex +
    "\n"
    "endpoint=203.0.113.7:51820\n"
    "replace_allowed_ips=true\n"
    "allowed_ip=10.100.0.2/32\n"
    "allowed_ip=fd00:100::2/128\n"
    "public_key=" +
    kPeer2Hex +
    "\n"
    "endpoint=[2001:db8::7]:51821\n"
    "persistent_keepalive_interval=25\n"
    "replace_allowed_ips=true\n"
    "allowed_ip=10.100.1.0/24\n"
    "\n";

// A wireguard-go get reply for a wg-quick interface (fwmark 51820) with the two peers above.
const std::string kGetReply = "private_key=" + kPrivHex +
                              "\n"
                              "listen_port=51820\n"
                              "fwmark=51820\n"
                              "public_key=" +
                              kPeer1Hex +
                              "\n"
                              "preshared_key=" +
                              kPsk1Hex +
                              "\n"
                              "protocol_version=1\n"
                              "endpoint=203.0.113.7:51820\n"
                              "last_handshake_time_sec=1767225600\n"
                              "last_handshake_time_nsec=123456789\n"
                              "tx_bytes=9876\n"
                              "rx_bytes=123456\n"
                              "persistent_keepalive_interval=0\n"
                              "allowed_ip=10.100.0.2/32\n"
                              "allowed_ip=fd00:100::2/128\n"
                              "public_key=" +
                              kPeer2Hex +
                              "\n"
                              "preshared_key=" +
                              kZeroHex +
                              "\n"
                              "protocol_version=1\n"
                              "endpoint=[2001:db8::7]:51821\n"
                              "last_handshake_time_sec=0\n"
                              "last_handshake_time_nsec=0\n"
                              "tx_bytes=0\n"
                              "rx_bytes=0\n"
                              "persistent_keepalive_interval=25\n"
                              "allowed_ip=10.100.1.0/24\n"
                              "errno=0\n"
                              "\n";

crypto::PublicKey public_key(std::string_view hex) {
  crypto::PublicKey key{};
  EXPECT_TRUE(base::hex_decode_exact(hex, key));
  return key;
}

crypto::SymmetricKey secret(std::string_view hex) {
  crypto::SymmetricKey key;
  EXPECT_TRUE(base::hex_decode_exact(hex, key.span()));
  return key;
}

bool same(const crypto::SymmetricKey& a, std::string_view hex) {
  return base::hex_encode(a.span()) == hex;
}

base::IpPrefix prefix(std::string_view text) { return base::IpPrefix::parse(text).value(); }
base::Endpoint endpoint(std::string_view text) { return base::Endpoint::parse(text).value(); }
AllowedIpUpdate add(std::string_view text) { return {prefix(text), false}; }

SetRequest parsed_set(std::string_view text) {
  auto result = parse_request(text);
  if (auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << "refused: " << error->message;
    return {};
  }
  auto* set = std::get_if<SetRequest>(&std::get<Request>(result));
  if (!set) {
    ADD_FAILURE() << "not a set request";
    return {};
  }
  return *set;
}

ParseError refused(std::string_view text) {
  auto result = parse_request(text);
  if (auto* error = std::get_if<ParseError>(&result)) return *error;
  ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  return ParseError{kErrnoOk, "", false};
}

// "set=1\n" + lines + the empty line.
std::string set(std::string_view lines) { return "set=1\n" + std::string(lines) + "\n"; }
// A set request for one peer (kPeer1Hex) with the given peer lines.
std::string set_peer(std::string_view lines) {
  return set("public_key=" + kPeer1Hex + "\n" + std::string(lines));
}

DeviceStatus parsed_status(std::string_view text) {
  auto result = parse_get_response(text);
  if (auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << "refused: " << error->message;
    return {};
  }
  return std::get<DeviceStatus>(result);
}

ParseError refused_reply(std::string_view text) {
  auto result = parse_get_response(text);
  if (auto* error = std::get_if<ParseError>(&result)) return *error;
  ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  return ParseError{kErrnoOk, "", false};
}

DeviceStatus two_peer_status() {
  DeviceStatus status;
  status.private_key = secret(kPrivHex);
  status.listen_port = 51820;
  status.fwmark = 51820;
  PeerStatus a;
  a.public_key = public_key(kPeer1Hex);
  a.preshared_key = secret(kPsk1Hex);
  a.endpoint = endpoint("203.0.113.7:51820");
  a.last_handshake_sec = 1767225600;
  a.last_handshake_nsec = 123456789;
  a.tx_bytes = 9876;
  a.rx_bytes = 123456;
  a.allowed_ips = {prefix("10.100.0.2/32"), prefix("fd00:100::2/128")};
  PeerStatus b;
  b.public_key = public_key(kPeer2Hex);
  b.endpoint = endpoint("[2001:db8::7]:51821");
  b.persistent_keepalive_interval = 25;
  b.allowed_ips = {prefix("10.100.1.0/24")};
  status.peers = {a, b};
  return status;
}

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
