// SPDX-License-Identifier: Apache-2.0
// MeshDaemon: the mesh, a subsystem of the node's loop beside the engine. It owns the SWIM
// membership (fed the port's mesh datagrams, first byte 0xED, by the loop's classifier), turns
// membership events into WireGuard peers with derived addresses as allowed IPs, configures the
// TUN through rtnetlink, serves the control socket and the metrics endpoint (request servers
// of their own on the loop), and reloads trust on SIGHUP. Single-threaded: the loop's.
#pragma once

#include <map>
#include <optional>
#include <set>

#include "control/protocol.h"
#include "discovery/membership.h"
#include "node/event_loop.h"
#include "node/mesh_options.h"
#include "node/nat_service.h"
#include "node/path_label.h"
#include "node/path_manager.h"
#include "node/request_server.h"
#include "node/seed_resolver.h"
#include "os/unix_socket.h"

namespace mw::node {

class MeshDaemon final : public Subsystem,
                         public DatagramHandler,
                         public control::Handler,
                         private swim::Transport {
 public:
  MeshDaemon(MeshOptions options, base::Instant now, base::WallTime wall);

  // Joins `loop` (which, with `paths`, outlives this daemon): the TUN's addresses and routes,
  // the control socket, metrics, the membership and its seeds. Members' endpoints go to
  // `paths`. An error aborts start-up.
  base::Result<void> start(EventLoop& loop, PathManager& paths, base::Instant now);

  // DatagramHandler: a mesh datagram.
  void on_datagram(base::Bytes datagram, const base::Endpoint& from, base::Instant now) override;
  // Subsystem
  base::Instant next_deadline() const override;
  void on_tick(base::Instant now) override;
  void on_signal(int signal, base::Instant now) override;  // SIGHUP: reload trust
  void on_stop(base::Instant now) override;                // a graceful leave

  // control::Handler (mesh_status.cc, mesh_daemon.cc)
  control::StatusReport status() override;
  void shutdown() override;
  std::optional<control::NetcheckReport> netcheck() override;

  // The NAT view that hears what members see of our address (outlives this daemon).
  void set_nat(NatService* nat) { nat_ = nat; }

  bool stopped_by_request() const { return stop_requested_; }
  // The data-path line `status` shows (the engine's own when unset).
  void set_data_path(std::string line) { data_path_ = std::move(line); }
  std::string metrics_text() const;
  const swim::Membership& membership() const { return membership_; }

 private:
  // swim::Transport
  void send(const base::Endpoint& to, base::Bytes datagram) override;

  // mesh_peers.cc: membership events -> WireGuard peers.
  void apply_events(base::Instant now);
  void forward_observed(base::Instant now);
  // "name (key)" for logs: the local trust name, else the certificate's; the bare key without.
  std::string member_label(const crypto::PublicKey& id) const;
  // A warning per join refused as not trusted (at most one per sender a minute).
  void log_refused_joins();  // members' reports of our address, to nat_
  // Our signed claim's endpoints: --announce first, then the NAT view's candidates (our own
  // mesh addresses left out), at most 4.
  std::vector<Candidate> candidates() const;
  // What the node knows of its own side of its paths (node/path_label.h).
  OurSide our_side() const;
  void update_candidates(base::Instant now);
  void upsert_peer(const swim::MemberView& member, base::Instant now);
  void remove_peer(const crypto::PublicKey& id);
  void refresh_allowed_ips();
  std::optional<crypto::PublicKey> ipv4_conflict(const crypto::PublicKey& id) const;

  // mesh_status.cc
  std::optional<std::string> respond_metrics(std::string_view request);

  base::Result<void> configure_tun();
  uint64_t load_incarnation() const;  // 0 when there is no (valid) state file
  void persist_incarnation(uint64_t incarnation);
  // Seeds: literal ones at once, names on the resolver's thread, failed ones again later.
  void resolve_seeds(base::Instant now);
  void take_seed_answer(SeedResolver::Answer& answer, base::Instant now);
  void reload_trust();
  base::WallTime wall_now() const;

  MeshOptions options_;
  base::WallTime started_wall_;
  uint64_t incarnation_;
  uint64_t persisted_incarnation_ = 0;
  swim::Membership membership_;
  EventLoop* loop_ = nullptr;
  PathManager* paths_ = nullptr;
  NatService* nat_ = nullptr;
  base::IpAddress self_v4_, self_v6_;

  // Members that are WireGuard peers now. The derived keys and addresses are computed once
  // (an Ed25519 -> X25519 conversion is a field inversion), not on every event or scrape.
  struct PeerEntry {
    uint64_t incarnation = 0;
    std::optional<crypto::PublicKey> wg_key;
    base::IpAddress ipv4, ipv6;
  };
  std::map<crypto::PublicKey, PeerEntry> peers_;
  PeerEntry& peer_entry(const crypto::PublicKey& id);             // found or derived and added
  const wg::Peer* wg_peer_of(const crypto::PublicKey& id) const;  // nullptr when not a peer
  // Members whose derived IPv4 collides with another's (or ours): no IPv4 route for them.
  std::map<crypto::PublicKey, crypto::PublicKey> ipv4_conflicts_;

  SeedResolver seed_resolver_;
  std::vector<std::string> unresolved_seeds_;
  base::Instant next_seed_resolve_;
  base::Instant next_seed_poll_;
  base::Instant next_reauthorize_;
  base::Instant next_candidates_;
  // WireGuard persistent keepalive on every peer while we may be behind a NAT: it holds the
  // NAT's mapping (and, for address-dependent filtering, its permission) for each direct path.
  base::Duration keepalive_ = base::Duration::zero();
  void update_keepalive(base::Instant now);

  std::optional<os::UnixListener> control_listener_;
  std::optional<RequestServer> control_server_;
  std::optional<os::TcpListener> metrics_listener_;
  std::optional<RequestServer> metrics_server_;
  bool stop_requested_ = false;
  std::string data_path_;
};

}  // namespace mw::node
