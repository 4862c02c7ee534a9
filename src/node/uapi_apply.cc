// SPDX-License-Identifier: Apache-2.0
// UAPI set requests onto a Device, and Device state into UAPI status.
#include "node/uapi_apply.h"

#include "crypto/ct.h"
#include "crypto/x25519.h"

namespace mw::node {

void apply_set_request(wg::Device& device, const wg::uapi::SetRequest& request, base::Instant now,
                       wg::DeviceOutput& out) {
  if (request.private_key) {
    if (crypto::ct_is_zero(request.private_key->span())) {
      device.set_private_key(std::nullopt);
    } else {
      crypto::PrivateKey key = *request.private_key;
      crypto::x25519_clamp(key);
      device.set_private_key(key);
    }
  }
  if (request.replace_peers) device.remove_all_peers();
  for (const wg::uapi::PeerConfig& pc : request.peers) {
    if (device.local().present && pc.public_key == device.local().public_key) continue;
    if (pc.remove) {
      device.remove_peer(pc.public_key);
      continue;
    }
    wg::Peer* peer = device.find_peer(pc.public_key);
    if (!peer) {
      if (pc.update_only) continue;
      peer = &device.add_peer(pc.public_key);
    }
    if (pc.preshared_key) device.set_preshared_key(*peer, *pc.preshared_key);
    if (pc.endpoint) device.set_endpoint(*peer, *pc.endpoint);
    if (pc.replace_allowed_ips) device.clear_allowed_ips(*peer);
    for (const auto& update : pc.allowed_ips) {
      if (update.remove) {
        device.remove_allowed_ip(*peer, update.prefix);
      } else {
        device.add_allowed_ip(*peer, update.prefix);
      }
    }
    // Last, so that a keepalive sent on enabling it already has endpoint and keys.
    if (pc.persistent_keepalive_interval)
      device.set_persistent_keepalive(
          *peer, base::Duration::seconds(*pc.persistent_keepalive_interval), now, out);
  }
}

wg::uapi::DeviceStatus device_status(const wg::Device& device, uint16_t listen_port,
                                     uint32_t fwmark) {
  wg::uapi::DeviceStatus status;
  if (device.local().present) status.private_key = device.local().private_key;
  status.listen_port = listen_port;
  status.fwmark = fwmark;
  device.for_each_peer([&](const wg::Peer& p) {
    wg::uapi::PeerStatus ps;
    ps.public_key = p.keys.remote_static;
    ps.preshared_key = p.keys.preshared_key;
    ps.endpoint = p.endpoint;
    if (p.last_handshake) {
      ps.last_handshake_sec = p.last_handshake->unix_nanos / 1'000'000'000;
      ps.last_handshake_nsec = p.last_handshake->unix_nanos % 1'000'000'000;
    }
    ps.rx_bytes = p.rx_bytes;
    ps.tx_bytes = p.tx_bytes;
    ps.persistent_keepalive_interval =
        uint16_t(p.timers.persistent_keepalive().to_nanos() / 1'000'000'000);
    ps.allowed_ips = device.allowed_ips(p);
    status.peers.push_back(std::move(ps));
  });
  return status;
}

}  // namespace mw::node
