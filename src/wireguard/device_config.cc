// SPDX-License-Identifier: Apache-2.0
// Device configuration: the local key, peers and their keys, endpoints, keepalives and allowed
// IPs, and the key-material lifecycle (expire, zero) that configuration changes trigger.
#include "wireguard/device.h"

#include "base/check.h"
#include "crypto/x25519.h"
#include "wireguard/constants.h"

namespace mw::wg {

void Device::set_private_key(const std::optional<crypto::PrivateKey>& key) {
  LocalStatic next;
  if (key) {
    next.private_key = *key;
    next.public_key = crypto::x25519_public(*key);
    next.present = true;
  }
  if (next.present == local_.present && (!next.present || next.public_key == local_.public_key))
    return;
  if (next.present) remove_peer(next.public_key);  // we cannot be our own peer
  local_ = next;
  ++local_generation_;
  cookie_checker_.set_local_public_key(local_.public_key);
  for (auto& [id, peer] : peers_) {
    forget_static_static(peer->keys);
    expire_sessions(*peer);
  }
}

Peer& Device::add_peer(const crypto::PublicKey& public_key) {
  if (Peer* existing = find_peer(public_key)) return *existing;
  MW_CHECK(!local_.present || public_key != local_.public_key);  // callers filter this out
  auto peer = std::make_unique<Peer>();
  peer->id = next_peer_id_++;
  peer->keys.remote_static = public_key;  // its static_static waits for a handshake
  peer->timers.attach(&timer_queue_, peer->id);
  peer->cookie.set_remote_public_key(public_key);
  Peer& ref = *peer;
  peers_by_key_[public_key] = ref.id;
  peers_[ref.id] = std::move(peer);
  return ref;
}

Peer* Device::find_peer(const crypto::PublicKey& public_key) {
  auto it = peers_by_key_.find(public_key);
  return it == peers_by_key_.end() ? nullptr : peer_by_id(it->second);
}

const Peer* Device::find_peer(const crypto::PublicKey& public_key) const {
  return const_cast<Device*>(this)->find_peer(public_key);
}

void Device::remove_peer(const crypto::PublicKey& public_key) {
  Peer* peer = find_peer(public_key);
  if (!peer) return;
  zero_key_material(*peer);
  allowed_ips_.remove_by_value(peer->id);
  peers_by_key_.erase(public_key);
  peers_.erase(peer->id);
}

const PeerKeys& Device::handshake_keys(Peer& peer) {
  if (!peer.keys.static_static_current) precompute_static_static(local_, peer.keys);
  return peer.keys;
}

void Device::forget_static_static(PeerKeys& keys) {
  keys.static_static.wipe();
  keys.static_static_valid = false;
  keys.static_static_current = false;
}

void Device::remove_all_peers() {
  while (!peers_by_key_.empty()) remove_peer(peers_by_key_.begin()->first);
  timer_queue_.clear();  // every entry was stale
}

void Device::set_preshared_key(Peer& peer, const crypto::SymmetricKey& psk) {
  peer.keys.preshared_key = psk;
}

void Device::set_endpoint(Peer& peer, const base::Endpoint& endpoint) { peer.endpoint = endpoint; }

void Device::note_source(Peer& peer, const base::Endpoint& source, DeviceOutput& out) {
  if (peer.endpoint && *peer.endpoint == source) return;
  if (!out.on_authenticated_source(peer, source)) peer.endpoint = source;
}

void Device::set_persistent_keepalive(Peer& peer, base::Duration interval, base::Instant now,
                                      DeviceOutput& out) {
  bool was_off = peer.timers.persistent_keepalive() == base::Duration::zero();
  peer.timers.set_persistent_keepalive(interval);
  if (interval == base::Duration::zero()) return;
  if (was_off && local_.present) send_keepalive(peer, now, out);
}

void Device::add_allowed_ip(Peer& peer, const base::IpPrefix& prefix) {
  allowed_ips_.insert(prefix, peer.id);
}

void Device::clear_allowed_ips(Peer& peer) { allowed_ips_.remove_by_value(peer.id); }

void Device::remove_allowed_ip(Peer& peer, const base::IpPrefix& prefix) {
  allowed_ips_.remove(prefix, peer.id);
}

std::vector<base::IpPrefix> Device::allowed_ips(const Peer& peer) const {
  return allowed_ips_.prefixes_of(peer.id);
}

void Device::drop_keypair(std::unique_ptr<Keypair>& slot) {
  if (!slot) return;
  index_table_.remove(slot->local_index);
  slot.reset();  // Secret members wipe themselves
}

void Device::clear_handshake(Peer& peer) {
  // Only an initiator's handshake outlives a call, and only it owns an index.
  if (peer.handshake.state == HandshakeState::kInitiationCreated)
    index_table_.remove(peer.handshake.local_index);
  peer.handshake.clear();
}

void Device::expire_sessions(Peer& peer) {
  // As wireguard-go's ExpireCurrentKeypairs: forget the handshake, stop sending on the
  // current and next keypairs, and allow a new initiation immediately.
  clear_handshake(peer);
  peer.last_sent_handshake.reset();
  if (peer.keypairs.current) peer.keypairs.current->send_counter = kRejectAfterMessages;
  if (peer.keypairs.next) peer.keypairs.next->send_counter = kRejectAfterMessages;
}

void Device::zero_key_material(Peer& peer) {
  drop_keypair(peer.keypairs.previous);
  drop_keypair(peer.keypairs.current);
  drop_keypair(peer.keypairs.next);
  clear_handshake(peer);
}

}  // namespace mw::wg
