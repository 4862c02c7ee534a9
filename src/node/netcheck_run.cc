// SPDX-License-Identifier: Apache-2.0
#include "node/netcheck_run.h"

#include <algorithm>
#include <array>

#include "base/clock.h"
#include "crypto/random.h"
#include "nat/filtering.h"
#include "nat/stun_intake.h"
#include "nat/stun_message.h"
#include "node/nat_service.h"
#include "node/netcheck_report.h"
#include "os/epoll.h"
#include "os/local_addresses.h"
#include "os/resolve.h"
#include "os/udp_socket.h"

namespace mw::node {
namespace {

uint64_t random_u64() { return (uint64_t(crypto::random_u32()) << 32) | crypto::random_u32(); }

class Probe {
 public:
  Probe(os::UdpPair sockets, os::Epoll epoll)
      : sockets_(std::move(sockets)), epoll_(std::move(epoll)) {}

  void send(const base::Endpoint& to, base::Bytes d) {
    os::UdpSocket* s = to.address.is_v4() ? (sockets_.v4 ? &*sockets_.v4 : nullptr)
                                          : (sockets_.v6 ? &*sockets_.v6 : nullptr);
    if (!s) return;
    os::DatagramSlot slot{const_cast<uint8_t*>(d.data()), d.size(), d.size(), to, d.size()};
    uint64_t dropped = 0;
    s->send_batch(std::span<const os::DatagramSlot>(&slot, 1), &dropped);
  }

  // Waits until `until` at most for datagrams; hands each to `take`.
  template <typename Take>
  void receive(base::Instant until, base::Clock& clock, Take take) {
    std::array<os::PollEvent, 4> events;
    base::Duration left = until - clock.now();
    if (left < base::Duration::zero()) left = base::Duration::zero();
    auto n = epoll_.wait(events, left);
    if (!n || *n == 0) return;
    for (os::UdpSocket* s :
         {sockets_.v4 ? &*sockets_.v4 : nullptr, sockets_.v6 ? &*sockets_.v6 : nullptr}) {
      if (!s) continue;
      std::array<uint8_t, 1500> buffer;
      os::DatagramSlot slot{buffer.data(), buffer.size(), 0, {}, 0};
      while (true) {
        auto got = s->recv_batch(std::span<os::DatagramSlot>(&slot, 1));
        if (!got || *got == 0) break;
        take(base::Bytes(buffer.data(), slot.length), slot.peer, clock.now());
      }
    }
  }

  uint16_t port() const { return sockets_.port; }

 private:
  os::UdpPair sockets_;
  os::Epoll epoll_;
};

}  // namespace

base::Result<control::NetcheckReport> run_netcheck(const std::vector<std::string>& stun,
                                                   uint16_t port, base::Duration timeout) {
  base::Clock& clock = base::SystemClock::instance();
  base::Instant end = clock.now() + timeout;
  std::vector<nat::StunServerState> servers;
  std::vector<control::StunServerReport> unresolved;
  for (const std::string& name : stun) {
    auto endpoints = os::resolve(name, kDefaultStunPort);
    if (!endpoints) {
      unresolved.push_back({name, "", "unresolved", "", {}, 0, endpoints.error().message()});
      continue;
    }
    bool v4 = false, v6 = false;
    for (const base::Endpoint& e : *endpoints) {
      bool& taken = e.address.is_v4() ? v4 : v6;
      if (taken) continue;
      taken = true;
      nat::StunServerState s;
      s.name = name;
      s.endpoint = e;
      servers.push_back(std::move(s));
    }
  }
  auto sockets = os::bind_udp_pair(port, 0);
  if (!sockets) return base::make_error("UDP port {}: {}", port, sockets.error().message());
  auto epoll = os::Epoll::create();
  if (!epoll) return epoll.error();
  if (sockets->v4) MW_RETURN_IF_ERROR(epoll->add(sockets->v4->fd(), 4));
  if (sockets->v6) MW_RETURN_IF_ERROR(epoll->add(sockets->v6->fd(), 6));
  Probe probe(std::move(*sockets), std::move(*epoll));

  nat::StunClientConfig config;
  // One round: retransmissions fit in the timeout, and no second round starts.
  config.refresh_interval = base::Duration::seconds(3600);
  config.final_wait = base::Duration::seconds(1);
  nat::StunClient client(config, random_u64);
  client.set_servers(std::move(servers));
  nat::ReflexiveAddresses reflexive;
  std::vector<base::IpAddress> local;
  if (auto l = os::local_addresses()) local = *l;
  std::vector<base::Endpoint> local_endpoints;
  for (const base::IpAddress& a : local) local_endpoints.push_back({a, probe.port()});
  reflexive.set_local(local_endpoints);

  auto send = [&probe](const base::Endpoint& to, base::Bytes d) { probe.send(to, d); };
  std::array<nat::FilteringTest, 2> filtering{nat::FilteringTest({}, random_u64),
                                              nat::FilteringTest({}, random_u64)};
  std::optional<nat::TransactionId> hairpin_id;
  std::optional<bool> hairpin;
  auto take = [&](base::Bytes d, const base::Endpoint& from, base::Instant now) {
    if (nat::take_stun(d, from, now, {client, reflexive, filtering, hairpin_id}).intake ==
        nat::StunIntake::kOwnRequest)
      hairpin = true;
  };
  client.tick(clock.now(), send);
  while (!client.idle() && clock.now() < end) {
    probe.receive(std::min(client.next_deadline(), end), clock, take);
    client.tick(clock.now(), send);
  }
  client.give_up();  // out of time: a server still silent timed out
  // Then, at once: the filtering test through the first server of each family that has a
  // second address, and the hairpin check when the mapping is endpoint-independent.
  base::Instant now = clock.now();
  for (size_t f = 0; f < filtering.size(); ++f) {
    filtering[f].start_through(client.servers(),
                               f == 0 ? base::IpAddress::Family::kV4 : base::IpAddress::Family::kV6,
                               now);
    filtering[f].tick(now, send);
  }
  base::Instant hairpin_end = now;
  auto addresses = reflexive.addresses(base::IpAddress::Family::kV4);
  if (reflexive.mapping(base::IpAddress::Family::kV4) == nat::Mapping::kEndpointIndependent &&
      !addresses.empty()) {
    uint64_t a = random_u64();
    nat::TransactionId id = nat::make_transaction_id(a, random_u64());
    hairpin_id = id;
    auto request = nat::encode_binding_request(id);
    probe.send(addresses.front(), request);
    hairpin_end = std::min(end, now + base::Duration::seconds(1));
  }
  auto waiting = [&] {
    base::Instant t = clock.now();
    if (hairpin_id && !hairpin && t < hairpin_end) return true;
    return t < end && (filtering[0].running() || filtering[1].running());
  };
  while (waiting()) {
    base::Instant until =
        std::min({end, filtering[0].next_deadline(), filtering[1].next_deadline()});
    if (hairpin_id && !hairpin) until = std::min(until, hairpin_end);
    probe.receive(until, clock, take);
    for (nat::FilteringTest& t : filtering) t.tick(clock.now(), send);
  }
  if (hairpin_id && !hairpin) hairpin = false;
  NatChecks checks{hairpin, filtering[0].result(), filtering[1].result()};
  control::NetcheckReport r =
      netcheck_report(client, reflexive, checks, local, probe.port(), clock.now());
  r.source = "standalone";
  r.stun.insert(r.stun.begin(), unresolved.begin(), unresolved.end());
  return r;
}

}  // namespace mw::node
