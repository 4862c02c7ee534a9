// SPDX-License-Identifier: Apache-2.0
// Shared vectors and helpers of the UAPI codec tests: keys, requests as wg(8) sends them, replies
// as wireguard-go writes them, and parse-or-fail shorthands.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "base/encoding.h"
#include "wireguard/uapi.h"

namespace mw::wg::uapi {

// Keys as `wg genkey` / `wg genpsk` would make them, in the hex the UAPI carries.
inline const std::string kPrivHex =
    "586995bc9aca484aa1a99710ffe32ed723172e8d55194a9ee4d31147994ca07a";
inline const std::string kPeer1Hex =
    "43cc3da7274eee39a0dc5068495aadd6c03a647acd4ab297ca7e54a32a898130";
inline const std::string kPsk1Hex =
    "3075f3ac890444eb95ee4627456e91c15b28552106617eab0422421ca822a02a";
inline const std::string kPeer2Hex =
    "4af584e377cc66c9181ddb8c8bb04ad4c81aedba2a110d18615a1dd8d422339c";
inline const std::string kPeer3Hex =
    "01b1166b427a7063a58fe8e03158d8d3d458e7ffe96090fa0e85d88b560d900b";
inline const std::string kZeroHex(64, '0');

// `wg setconf wg0 wg0.conf` for a config with ListenPort, two [Peer]s and no FwMark: setconf
// always sends private_key, listen_port, fwmark and replace_peers, and replace_allowed_ips for
// every peer (wireguard-tools config.c, ipc-uapi.h).
inline const std::string kSetconf =
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
inline const std::string kGetReply = "private_key=" + kPrivHex +
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

inline crypto::PublicKey public_key(std::string_view hex) {
  crypto::PublicKey key{};
  EXPECT_TRUE(base::hex_decode_exact(hex, key));
  return key;
}

inline crypto::SymmetricKey secret(std::string_view hex) {
  crypto::SymmetricKey key;
  EXPECT_TRUE(base::hex_decode_exact(hex, key.span()));
  return key;
}

inline bool same(const crypto::SymmetricKey& a, std::string_view hex) {
  return base::hex_encode(a.span()) == hex;
}

inline base::IpPrefix prefix(std::string_view text) { return base::IpPrefix::parse(text).value(); }
inline base::Endpoint endpoint(std::string_view text) {
  return base::Endpoint::parse(text).value();
}
inline AllowedIpUpdate add(std::string_view text) { return {prefix(text), false}; }

inline SetRequest parsed_set(std::string_view text) {
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

inline ParseError refused(std::string_view text) {
  auto result = parse_request(text);
  if (auto* error = std::get_if<ParseError>(&result)) return *error;
  ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  return ParseError{kErrnoOk, "", false};
}

// "set=1\n" + lines + the empty line.
inline std::string set(std::string_view lines) { return "set=1\n" + std::string(lines) + "\n"; }
// A set request for one peer (kPeer1Hex) with the given peer lines.
inline std::string set_peer(std::string_view lines) {
  return set("public_key=" + kPeer1Hex + "\n" + std::string(lines));
}

inline DeviceStatus parsed_status(std::string_view text) {
  auto result = parse_get_response(text);
  if (auto* error = std::get_if<ParseError>(&result)) {
    ADD_FAILURE() << "refused: " << error->message;
    return {};
  }
  return std::get<DeviceStatus>(result);
}

inline ParseError refused_reply(std::string_view text) {
  auto result = parse_get_response(text);
  if (auto* error = std::get_if<ParseError>(&result)) return *error;
  ADD_FAILURE() << "accepted: " << text.substr(0, 200);
  return ParseError{kErrnoOk, "", false};
}

inline DeviceStatus two_peer_status() {
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

}  // namespace mw::wg::uapi
