// SPDX-License-Identifier: Apache-2.0
// What the node tells about itself: the control protocol's status report and the Prometheus
// metrics (members by state, probes, suspicions, handshakes, bytes and packets per peer, drops
// by reason, gossip bytes).
#include <fmt/format.h>

#include "base/check.h"
#include "base/version.h"
#include "control/metrics.h"
#include "node/drop_counters.h"
#include "node/mesh_daemon.h"
#include "node/nat_service.h"
#include "node/path_label.h"
#include "trust/address.h"

namespace mw::node {

OurSide MeshDaemon::our_side() const {
  if (!nat_) return {};
  return {nat_->local(), nat_->behind_nat()};
}

control::StatusReport MeshDaemon::status() {
  control::StatusReport r;
  r.version = kVersion;
  r.identity = trust::public_key_text(options_.identity.public_key);
  r.interface = options_.gossip_only ? "" : loop_->io().tun_name();
  r.ipv4 = self_v4_.to_string();
  r.ipv6 = self_v6_.to_string();
  r.port = loop_->io().udp_port();
  r.incarnation = membership_.incarnation();  // raised by refutations
  r.started_unix = started_wall_.unix_nanos / 1000000000;
  r.gossip_only = options_.gossip_only;
  r.data_path = data_path_.empty() ? loop_->engine().data_path() : data_path_;
  OurSide us = our_side();
  for (const swim::MemberView& m : membership_.members()) {
    control::MemberStatus s;
    s.identity = trust::public_key_text(m.id);
    // What this node calls it (its trust file), else its certificate's name.
    if (const std::string* local = options_.trust.name_of(m.id)) {
      s.name = *local;
    } else if (m.certificate) {
      s.name = m.certificate->name;
    }
    s.state = swim::member_state_name(m.state);
    if (m.endpoint) s.endpoint = m.endpoint->to_string();
    bool live = m.state == swim::MemberState::kAlive || m.state == swim::MemberState::kSuspect;
    if (live) s.path = m.direct ? "direct" : "indirect";
    if (live) s.via = path_via(m, us);
    s.ipv4 = trust::mesh_ipv4(m.id, options_.prefixes).to_string();
    s.ipv6 = trust::mesh_ipv6(m.id, options_.prefixes).to_string();
    if (auto other = ipv4_conflict(m.id)) {
      s.ipv4_routed = false;
      s.ipv4_note = *other == options_.identity.public_key
                        ? "collides with this node's IPv4; IPv6 only"
                        : "collides with " + trust::public_key_text(*other) + "; IPv6 only";
    }
    s.admitted_by = m.admitted_by;
    s.incarnation = m.incarnation;
    if (m.rtt) s.rtt_ms = double(m.rtt->to_micros()) / 1000.0;
    if (const wg::Peer* p = wg_peer_of(m.id)) {
      if (p->last_handshake) s.last_handshake_unix = p->last_handshake->unix_nanos / 1000000000;
      s.rx_bytes = p->rx_bytes;
      s.tx_bytes = p->tx_bytes;
    }
    r.members.push_back(std::move(s));
  }
  return r;
}

std::string MeshDaemon::metrics_text() const {
  control::MetricsWriter w;
  std::map<std::string, double> by_state{{"alive", 0}, {"suspect", 0}, {"dead", 0}, {"left", 0}};
  std::vector<swim::MemberView> members = membership_.members();
  std::map<std::string, double> by_path{{"indirect", 0},  {"punched", 0}, {"mapped", 0},
                                        {"reflexive", 0}, {"lan", 0},     {"public", 0},
                                        {"direct", 0}};
  OurSide us = our_side();
  for (const auto& m : members) {
    by_state[swim::member_state_name(m.state)] += 1;
    if (m.state != swim::MemberState::kAlive && m.state != swim::MemberState::kSuspect) continue;
    std::string via = path_via(m, us);
    by_path[!m.direct ? "indirect" : via.empty() ? "direct" : via] += 1;
  }
  for (const auto& [state, n] : by_state)
    w.gauge("meshward_members", "Members known, by state.", {{"state", state}}, n);
  for (const auto& [path, n] : by_path)
    w.gauge("meshward_member_paths",
            "Live members by how we reach them: indirect, or direct and how (docs/nat.md).",
            {{"path", path}}, n);
  const swim::Stats& st = membership_.stats();
  w.counter("meshward_probes_total", "Direct probes (pings) sent.", {}, double(st.probes_sent));
  w.counter("meshward_indirect_probes_total", "Indirect probe requests (ping_req) sent.", {},
            double(st.indirect_probes_sent));
  w.counter("meshward_acks_total", "Acks received for our probes.", {}, double(st.acks_received));
  w.counter("meshward_suspicions_total", "Members this node began to suspect.", {},
            double(st.suspicions));
  w.counter("meshward_refutations_total", "Suspicions of this node that it refuted.", {},
            double(st.refutations));
  w.counter("meshward_members_failed_total", "Members declared failed.", {},
            double(st.members_failed));
  w.counter("meshward_gossip_bytes_total", "Mesh protocol bytes, by direction.",
            {{"direction", "sent"}}, double(st.gossip_bytes_sent));
  w.counter("meshward_gossip_bytes_total", "Mesh protocol bytes, by direction.",
            {{"direction", "received"}}, double(st.gossip_bytes_received));
  w.counter("meshward_punch_attempts_total",
            "Hole-punch sessions started (an introduction through a member both sides reach).", {},
            double(st.punches_started));
  w.counter("meshward_punch_successes_total", "Hole-punch sessions that reached the member.", {},
            double(st.punches_succeeded));
  w.counter("meshward_punch_seconds_total",
            "Time from the start of a successful punch to direct contact, summed.", {},
            st.punch_time_total.to_seconds_f());
  w.counter("meshward_introductions_total", "Introductions, by role.", {{"role", "requested"}},
            double(st.intro_requests_sent));
  w.counter("meshward_introductions_total", "Introductions, by role.", {{"role", "made"}},
            double(st.introductions_made));
  w.counter("meshward_gossip_statements_known_total",
            "Gossip statements that repeated what this node held (syncs and retransmissions).", {},
            double(st.statements_known));
  if (loop_ && loop_->drops().unclassified > 0)
    w.counter("meshward_mesh_drops_total", "Mesh datagrams dropped, by reason.",
              {{"reason", "not_wireguard_or_mesh"}}, double(loop_->drops().unclassified));
  for (size_t r = 0; r < st.drops.size(); ++r) {
    if (st.drops[r] == 0) continue;
    w.counter("meshward_mesh_drops_total", "Mesh datagrams dropped, by reason.",
              {{"reason", swim::drop_reason_name(swim::DropReason(r))}}, double(st.drops[r]));
  }
  if (nat_) nat_->write_metrics(w);
  w.counter("meshward_bugs_total", "Internal errors caught (MW_BUG); any is a defect to report.",
            {}, double(base::bug_count()));
  if (loop_) {
    // What the data path itself dropped (the engine, the I/O), beside the device's reasons.
    for_each_dataplane_drop(loop_->engine(), [&w](std::string_view reason, uint64_t n) {
      w.counter("meshward_dataplane_drops_total",
                "Packets or datagrams the data path dropped, by reason.",
                {{"reason", std::string(reason)}}, double(n));
    });
  }
  if (paths_) {
    w.counter("meshward_path_changes_total", "Peer endpoint changes, by cause.",
              {{"cause", "roamed"}}, double(paths_->roamed()));
    w.counter("meshward_path_changes_total", "Peer endpoint changes, by cause.",
              {{"cause", "announced"}}, double(paths_->announced()));
  }
  if (!options_.gossip_only && loop_) {
    const wg::Device& device = loop_->engine().device();
    const wg::DeviceStats& ds = device.stats();
    w.counter("meshward_handshakes_total", "WireGuard handshakes completed.", {},
              double(ds.handshakes_completed));
    for (size_t r = 0; r < ds.drop_counts.size(); ++r) {
      if (ds.drop_counts[r] == 0) continue;
      w.counter("meshward_wireguard_drops_total", "WireGuard datagrams or packets dropped.",
                {{"reason", wg::drop_reason_name(wg::DropReason(r))}}, double(ds.drop_counts[r]));
    }
    for (const auto& m : members) {
      const wg::Peer* p = wg_peer_of(m.id);
      if (!p) continue;
      control::Labels peer{{"peer", trust::public_key_text(m.id)}};
      w.counter("meshward_peer_rx_bytes_total", "Bytes received from a peer.", peer,
                double(p->rx_bytes));
      w.counter("meshward_peer_tx_bytes_total", "Bytes sent to a peer.", peer, double(p->tx_bytes));
      w.counter("meshward_peer_rx_packets_total", "Datagrams received from a peer.", peer,
                double(p->rx_packets));
      w.counter("meshward_peer_tx_packets_total", "Datagrams sent to a peer.", peer,
                double(p->tx_packets));
    }
  }
  return w.finish();
}

std::optional<std::string> MeshDaemon::respond_metrics(std::string_view request) {
  if (request.find("\r\n\r\n") == std::string_view::npos &&
      request.find("\n\n") == std::string_view::npos)
    return std::nullopt;
  auto path = control::parse_http_get_path(request);
  if (!path) return control::http_response(400, "text/plain", path.error().message() + "\n");
  if (*path != "/metrics") return control::http_response(404, "text/plain", "try /metrics\n");
  return control::http_response(200, "text/plain; version=0.0.4", metrics_text());
}

}  // namespace mw::node
