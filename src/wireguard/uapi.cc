// SPDX-License-Identifier: Apache-2.0
// UAPI request framing and structural equality of the UAPI values.
#include "wireguard/uapi.h"

#include "crypto/ct.h"

namespace mw::wg::uapi {
namespace {

bool same_key(const crypto::PublicKey& a, const crypto::PublicKey& b) {
  return crypto::ct_equal(a, b);
}

bool same_secret(const crypto::SymmetricKey& a, const crypto::SymmetricKey& b) {
  return crypto::ct_equal(a.span(), b.span());
}

bool same_secret(const std::optional<crypto::SymmetricKey>& a,
                 const std::optional<crypto::SymmetricKey>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || same_secret(*a, *b);
}

}  // namespace

bool operator==(const PeerConfig& a, const PeerConfig& b) {
  return same_key(a.public_key, b.public_key) && a.remove == b.remove &&
         a.update_only == b.update_only && same_secret(a.preshared_key, b.preshared_key) &&
         a.endpoint == b.endpoint &&
         a.persistent_keepalive_interval == b.persistent_keepalive_interval &&
         a.replace_allowed_ips == b.replace_allowed_ips && a.allowed_ips == b.allowed_ips;
}

bool operator==(const SetRequest& a, const SetRequest& b) {
  return same_secret(a.private_key, b.private_key) && a.listen_port == b.listen_port &&
         a.fwmark == b.fwmark && a.replace_peers == b.replace_peers && a.peers == b.peers;
}

bool operator==(const PeerStatus& a, const PeerStatus& b) {
  return same_key(a.public_key, b.public_key) && same_secret(a.preshared_key, b.preshared_key) &&
         a.endpoint == b.endpoint && a.last_handshake_sec == b.last_handshake_sec &&
         a.last_handshake_nsec == b.last_handshake_nsec && a.rx_bytes == b.rx_bytes &&
         a.tx_bytes == b.tx_bytes &&
         a.persistent_keepalive_interval == b.persistent_keepalive_interval &&
         a.allowed_ips == b.allowed_ips;
}

bool operator==(const DeviceStatus& a, const DeviceStatus& b) {
  return same_secret(a.private_key, b.private_key) && a.listen_port == b.listen_port &&
         a.fwmark == b.fwmark && a.peers == b.peers;
}

size_t find_request_end(std::string_view buffer, size_t scanned) {
  // A request is its lines, each ending in '\n', then one empty line (xplatform: "{empty line}").
  if (scanned == 0 && !buffer.empty() && buffer[0] == '\n') return 1;
  // The end may straddle what was scanned: start one byte back.
  size_t blank = buffer.find("\n\n", scanned > 0 ? scanned - 1 : 0);
  return blank == std::string_view::npos ? 0 : blank + 2;
}

}  // namespace mw::wg::uapi
