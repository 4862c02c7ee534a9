// SPDX-License-Identifier: Apache-2.0
// Writers of UAPI text: get replies and errno replies (as wireguard-go sends them) and set
// requests (as wg(8) sends them).
#include "wireguard/uapi.h"

#include <iterator>

#include <fmt/format.h>

namespace mw::wg::uapi {
namespace {

// "name=<64 lowercase hex digits>\n", written straight into `out` so no other copy of a secret
// key is made.
void put_key(std::string& out, std::string_view name, const uint8_t* key) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out.append(name);
  out.push_back('=');
  for (size_t i = 0; i < crypto::kKeyLen; ++i) {
    out.push_back(kDigits[key[i] >> 4]);
    out.push_back(kDigits[key[i] & 15]);
  }
  out.push_back('\n');
}

template <typename T>
void put_number(std::string& out, std::string_view name, T value) {
  fmt::format_to(std::back_inserter(out), "{}={}\n", name, value);
}

void put_text(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.push_back('=');
  out.append(value);
  out.push_back('\n');
}

void put_allowed_ips(std::string& out, const std::vector<base::IpPrefix>& prefixes) {
  for (const auto& prefix : prefixes) put_text(out, "allowed_ip", prefix.to_string());
}

void put_allowed_ips(std::string& out, const std::vector<AllowedIpUpdate>& updates) {
  for (const auto& update : updates) {
    put_text(out, "allowed_ip", (update.remove ? "-" : "") + update.prefix.to_string());
  }
}

}  // namespace

std::string format_get_response(const DeviceStatus& status) {
  std::string out;
  if (status.private_key && !status.private_key->is_zero()) {
    put_key(out, "private_key", status.private_key->data());
  }
  if (status.listen_port != 0) put_number(out, "listen_port", status.listen_port);
  if (status.fwmark != 0) put_number(out, "fwmark", status.fwmark);
  for (const auto& peer : status.peers) {
    put_key(out, "public_key", peer.public_key.data());
    put_key(out, "preshared_key", peer.preshared_key.data());
    out.append("protocol_version=1\n");
    if (peer.endpoint) put_text(out, "endpoint", peer.endpoint->to_string());
    put_number(out, "last_handshake_time_sec", peer.last_handshake_sec);
    put_number(out, "last_handshake_time_nsec", peer.last_handshake_nsec);
    put_number(out, "tx_bytes", peer.tx_bytes);
    put_number(out, "rx_bytes", peer.rx_bytes);
    put_number(out, "persistent_keepalive_interval", peer.persistent_keepalive_interval);
    put_allowed_ips(out, peer.allowed_ips);
  }
  out.append("errno=0\n\n");
  return out;
}

std::string format_errno(int errno_value) { return fmt::format("errno={}\n\n", errno_value); }

std::string format_set_request(const SetRequest& request) {
  std::string out = "set=1\n";
  if (request.private_key) put_key(out, "private_key", request.private_key->data());
  if (request.listen_port) put_number(out, "listen_port", *request.listen_port);
  if (request.fwmark) put_number(out, "fwmark", *request.fwmark);
  if (request.replace_peers) out.append("replace_peers=true\n");
  for (const auto& peer : request.peers) {
    put_key(out, "public_key", peer.public_key.data());
    if (peer.update_only) out.append("update_only=true\n");
    if (peer.remove) out.append("remove=true\n");
    if (peer.preshared_key) put_key(out, "preshared_key", peer.preshared_key->data());
    if (peer.endpoint) put_text(out, "endpoint", peer.endpoint->to_string());
    if (peer.persistent_keepalive_interval) {
      put_number(out, "persistent_keepalive_interval", *peer.persistent_keepalive_interval);
    }
    if (peer.replace_allowed_ips) out.append("replace_allowed_ips=true\n");
    put_allowed_ips(out, peer.allowed_ips);
  }
  out.push_back('\n');
  return out;
}

}  // namespace mw::wg::uapi
