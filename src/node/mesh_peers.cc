// SPDX-License-Identifier: Apache-2.0
// From membership to tunnels: an admitted member that joins (or comes back with a new
// incarnation) becomes a WireGuard peer whose allowed IPs are its derived addresses and whose
// endpoint is where it was last heard; a failed, departed or de-authorized one is removed.
// Members whose derived IPv4 addresses collide keep IPv6 but get no IPv4 route.
#include <fmt/format.h>

#include <algorithm>

#include "base/log.h"
#include "node/mesh_daemon.h"
#include "trust/address.h"

namespace mw::node {

std::string MeshDaemon::member_label(const crypto::PublicKey& id) const {
  std::string key = trust::public_key_text(id);
  if (const std::string* name = options_.trust.name_of(id))
    return fmt::format("{} ({})", *name, key);
  const swim::MemberView* m = membership_.find(id);
  if (m && m->certificate && !m->certificate->name.empty())
    return fmt::format("{} ({})", m->certificate->name, key);
  return key;
}

void MeshDaemon::apply_events(base::Instant now) {
  std::vector<swim::Event> events = membership_.take_events();
  if (events.empty()) return;
  bool changed = false;
  for (const swim::Event& ev : events) {
    const swim::MemberView* m = membership_.find(ev.id);
    std::string who = member_label(ev.id);
    switch (ev.kind) {
      case swim::EventKind::kJoined:
      case swim::EventKind::kUpdated:
        if (m &&
            (m->state == swim::MemberState::kAlive || m->state == swim::MemberState::kSuspect)) {
          if (ev.kind == swim::EventKind::kJoined) {
            MW_LOG_INFO("member {} joined ({}), endpoint {}", who, m->admitted_by,
                        m->endpoint ? m->endpoint->to_string() : "unknown");
          } else if (auto it = peers_.find(ev.id); it == peers_.end()) {
            MW_LOG_INFO("member {} is back (incarnation {}), endpoint {}", who, m->incarnation,
                        m->endpoint ? m->endpoint->to_string() : "unknown");
          } else if (it->second.incarnation != m->incarnation) {
            MW_LOG_INFO("member {} has a new claim (incarnation {}), endpoint {}", who,
                        m->incarnation, m->endpoint ? m->endpoint->to_string() : "unknown");
          }
          upsert_peer(*m, now);
          changed = true;
        }
        break;
      case swim::EventKind::kFailed:
      case swim::EventKind::kLeft:
      case swim::EventKind::kRemoved:
        MW_LOG_INFO("member {} {}", who,
                    ev.kind == swim::EventKind::kFailed ? "failed"
                    : ev.kind == swim::EventKind::kLeft ? "left"
                                                        : "is no longer admitted");
        remove_peer(ev.id);
        changed = true;
        break;
    }
  }
  if (changed) refresh_allowed_ips();
}

MeshDaemon::PeerEntry& MeshDaemon::peer_entry(const crypto::PublicKey& id) {
  auto [it, added] = peers_.try_emplace(id);
  if (added) {
    it->second.wg_key = trust::wireguard_public_key(id);
    it->second.ipv4 = trust::mesh_ipv4(id, options_.prefixes);
    it->second.ipv6 = trust::mesh_ipv6(id, options_.prefixes);
  }
  return it->second;
}

const wg::Peer* MeshDaemon::wg_peer_of(const crypto::PublicKey& id) const {
  auto it = peers_.find(id);
  if (options_.gossip_only || !loop_ || it == peers_.end() || !it->second.wg_key) return nullptr;
  return loop_->engine().device().find_peer(*it->second.wg_key);
}

void MeshDaemon::upsert_peer(const swim::MemberView& member, base::Instant now) {
  bool known = peers_.count(member.id) > 0;
  PeerEntry& entry = peer_entry(member.id);
  uint64_t before = entry.incarnation;
  entry.incarnation = member.incarnation;
  // Gossip only: no tunnels, only whom we have seen (for the logs).
  if (options_.gossip_only || !entry.wg_key) return;
  wg::Device& device = loop_->engine().device();
  wg::Peer* peer = device.find_peer(*entry.wg_key);
  bool existed = peer != nullptr;
  if (!peer) peer = &device.add_peer(*entry.wg_key);
  if (member.endpoint) paths_->set_member_endpoint(*peer, *member.endpoint);
  if (!existed && keepalive_ > base::Duration::zero())
    device.set_persistent_keepalive(*peer, keepalive_, now, loop_->engine().output());
  if (existed && known && before != member.incarnation) {
    // A new incarnation: it may have restarted and lost its sessions. Handshake now rather
    // than wait for our keys to time out; after a mere refutation this only rekeys early.
    device.initiate_handshake(*peer, now, loop_->engine().output());
  }
}

void MeshDaemon::remove_peer(const crypto::PublicKey& id) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  if (it->second.wg_key && !options_.gossip_only)
    loop_->engine().device().remove_peer(*it->second.wg_key);
  peers_.erase(it);
}

std::optional<crypto::PublicKey> MeshDaemon::ipv4_conflict(const crypto::PublicKey& id) const {
  auto it = ipv4_conflicts_.find(id);
  if (it == ipv4_conflicts_.end()) return std::nullopt;
  return it->second;
}

void MeshDaemon::refresh_allowed_ips() {
  // Collisions among ourselves and every member that is a peer.
  // Only members we have joined count: they are the ones whose removal is an event, so the
  // collisions are recomputed whenever the set changes.
  std::vector<crypto::PublicKey> keys{options_.identity.public_key};
  for (const auto& [id, entry] : peers_) keys.push_back(id);
  std::map<crypto::PublicKey, crypto::PublicKey> conflicts;
  for (const auto& group : trust::ipv4_collisions(keys, options_.prefixes)) {
    for (const auto& k : group) {
      // Name one other key of the group, ourselves if we are in it.
      const crypto::PublicKey& self = options_.identity.public_key;
      bool self_in = std::find(group.begin(), group.end(), self) != group.end();
      conflicts[k] = self_in && k != self ? self : group[0] != k ? group[0] : group[1];
    }
  }
  for (const auto& [k, other] : conflicts) {
    if (!ipv4_conflicts_.count(k))
      MW_LOG_WARN("mesh IPv4 {} of {} collides with {}: IPv4 not routed, IPv6 only",
                  trust::mesh_ipv4(k, options_.prefixes).to_string(), member_label(k),
                  member_label(other));
  }
  ipv4_conflicts_ = std::move(conflicts);
  if (options_.gossip_only) return;
  wg::Device& device = loop_->engine().device();
  for (const auto& [id, entry] : peers_) {
    if (!entry.wg_key) continue;
    wg::Peer* peer = device.find_peer(*entry.wg_key);
    if (!peer) continue;
    std::vector<base::IpPrefix> want;
    want.push_back(*base::IpPrefix::make(entry.ipv6, 128));
    if (!ipv4_conflicts_.count(id)) want.push_back(*base::IpPrefix::make(entry.ipv4, 32));
    std::vector<base::IpPrefix> have = device.allowed_ips(*peer);
    bool same = have.size() == want.size() &&
                std::all_of(want.begin(), want.end(), [&](const base::IpPrefix& p) {
                  return std::find(have.begin(), have.end(), p) != have.end();
                });
    if (same) continue;
    device.clear_allowed_ips(*peer);
    for (const auto& p : want) device.add_allowed_ip(*peer, p);
  }
}

}  // namespace mw::node
