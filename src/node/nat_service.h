// SPDX-License-Identifier: Apache-2.0
// NatService: the node's view of the NATs in front of its UDP port (docs/nat.md), a subsystem of
// the loop beside the engine and the mesh. It runs the STUN client on the shared port (STUN
// datagrams, first byte 0x00 or 0x01 and the magic cookie, come to it through the loop's
// classifier), takes the members' reports of our address from the mesh, classifies the NAT's
// mapping, checks hairpinning, and answers `netcheck`. Single-threaded: the loop's.
#pragma once

#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "control/metrics.h"
#include "control/netcheck.h"
#include "discovery/codec.h"
#include "nat/filtering.h"
#include "nat/reflexive.h"
#include "nat/stun_client.h"
#include "node/event_loop.h"
#include "node/seed_resolver.h"

namespace mw::node {

constexpr uint16_t kDefaultStunPort = 3478;

class PortMapper;

// A way in to the node's port, and what it is.
struct Candidate {
  base::Endpoint endpoint;
  swim::CandidateKind kind = swim::CandidateKind::kUnknown;

  bool operator==(const Candidate&) const = default;
};

struct NatOptions {
  std::vector<std::string> stun;  // "host[:port]" (port 3478 when absent); empty: no STUN
  nat::StunClientConfig stun_config;
  // How often the hairpin check runs once a reflexive address is known.
  base::Duration hairpin_interval = base::Duration::seconds(300);
  base::Duration hairpin_timeout = base::Duration::seconds(2);
  // How often the filtering test runs, through a STUN server that has a second address.
  base::Duration filtering_interval = base::Duration::seconds(300);
  nat::FilteringConfig filtering_config;
  // How often the host's own addresses are read again (a change refreshes STUN at once).
  base::Duration local_interval = base::Duration::seconds(30);
  // Local addresses that are not ways in (the mesh's own tunnel prefixes).
  std::vector<base::IpPrefix> exclude;
};

class NatService final : public Subsystem, public DatagramHandler {
 public:
  // `resolve` looks names up (os::resolve in the daemon, on the resolver's thread);
  // `local_addresses` lists the host's own (os::local_addresses).
  using LocalAddresses = std::function<std::vector<base::IpAddress>()>;
  NatService(NatOptions options, std::function<uint64_t()> rng, SeedResolver::Lookup resolve,
             LocalAddresses local_addresses);

  // Joins `loop` (which outlives this): STUN datagrams, ticks.
  base::Result<void> start(EventLoop& loop, base::Instant now);

  // DatagramHandler: a datagram whose first byte is 0x00 or 0x01 that is not WireGuard.
  void on_datagram(base::Bytes datagram, const base::Endpoint& from, base::Instant now) override;
  // Subsystem
  base::Instant next_deadline() const override;
  void on_tick(base::Instant now) override;

  // A member's report of our address, from its authenticated ack (`observer`: its key).
  void observed_by_member(std::string observer, const base::Endpoint& observer_endpoint,
                          const base::Endpoint& mapped, base::Instant now);
  // The gateway's port mapping (outlives this, or is unset first): its verified endpoint leads
  // the candidates, its state goes into the report and the metrics.
  void set_port_mapper(const PortMapper* mapper) { mapper_ = mapper; }
  // Asks the STUN servers again now (netcheck, a changed network).
  void refresh() { stun_.refresh(); }

  control::NetcheckReport report(base::Instant now) const;
  void write_metrics(control::MetricsWriter& w) const;
  const nat::ReflexiveAddresses& reflexive() const { return reflexive_; }
  // The host's own addresses (the mesh's prefixes left out), as last read.
  const std::vector<base::IpAddress>& local() const { return local_; }
  // Where others may reach this port, best first: a verified port mapping, the reflexive
  // address of each family (unless
  // the NAT maps per destination, where it only works for the observer) and the host's own
  // addresses with the port.
  std::vector<Candidate> candidates() const;
  // Whether a NAT (or a firewall rewriting ports) may sit in front of the port: false only once
  // observers saw our own address unchanged.
  bool behind_nat() const {
    return reflexive_.mapping(base::IpAddress::Family::kV4) != nat::Mapping::kNone;
  }
  const nat::StunClient& stun() const { return stun_; }
  // The NAT's filtering, per family, from the last filtering test (kUnknown before one).
  nat::Filtering filtering(base::IpAddress::Family family) const {
    return filtering_[family == base::IpAddress::Family::kV4 ? 0 : 1].result();
  }

  // STUN datagrams dropped, by reason, and requests from others (we serve none).
  struct Drops {
    uint64_t malformed = 0;  // looked like STUN, failed to parse
    uint64_t unmatched = 0;  // an answer to no transaction of ours (or from elsewhere)
    uint64_t requests = 0;   // someone else's Binding request: we are not a STUN server
    uint64_t not_stun = 0;   // first byte 0x00/0x01 but no magic cookie
  };
  const Drops& drops() const { return drops_; }

 private:
  void send(const base::Endpoint& to, base::Bytes datagram);
  void resolve(base::Instant now);
  void take_resolved(std::vector<SeedResolver::Answer> answers);
  void update_servers();
  void read_local(base::Instant now);
  void tick_hairpin(base::Instant now);
  void tick_filtering(base::Instant now);
  void log_filtering();

  NatOptions options_;
  std::function<uint64_t()> rng_;
  LocalAddresses local_addresses_;
  EventLoop* loop_ = nullptr;
  const PortMapper* mapper_ = nullptr;
  nat::StunClient stun_;
  nat::ReflexiveAddresses reflexive_;
  std::vector<base::IpAddress> local_;

  // Server names and what they resolved to (empty while unresolved).
  struct Server {
    std::string name;
    std::vector<base::Endpoint> endpoints;
    std::string error;  // the last lookup's, while unresolved
  };
  std::vector<Server> servers_;
  SeedResolver resolver_;
  std::vector<std::string> unresolved_;
  base::Instant next_resolve_, next_poll_, next_local_;

  struct Hairpin {
    std::optional<nat::TransactionId> id;  // in flight
    base::Instant deadline;
    base::Instant next;
    std::optional<bool> works;
  } hairpin_;
  // The filtering tests, IPv4 and IPv6, and the verdicts last logged.
  std::array<nat::FilteringTest, 2> filtering_;
  std::array<nat::Filtering, 2> filtering_logged_{};
  base::Instant next_filtering_;
  Drops drops_;
};

}  // namespace mw::node
