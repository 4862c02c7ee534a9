// SPDX-License-Identifier: Apache-2.0
// TwoPeerSim: an event queue of datagrams in flight plus the two devices' timer deadlines.
#include "wireguard/testing/two_peer_sim.h"

#include "crypto/x25519.h"
#include "wireguard/testing/packets.h"

namespace mw::wg::testing {

class TwoPeerSim::Output final : public DeviceOutput {
 public:
  Output(TwoPeerSim& sim, Side side) : sim_(sim), side_(side) {}
  void send_datagram(const base::Endpoint&, base::Bytes d) override { sim_.transmit(side_, d); }
  void deliver_packet(base::Bytes p) override {
    sim_.delivered_[side_].emplace_back(p.begin(), p.end());
  }

 private:
  TwoPeerSim& sim_;
  Side side_;
};

TwoPeerSim::TwoPeerSim(LinkConditions link, uint64_t seed, bool with_psk)
    : link_(link), rng_(seed), now_(base::Instant::from_nanos(1'000'000'000'000)) {
  tunnel_ip_[kA] = *base::IpAddress::parse("10.0.0.1");
  tunnel_ip_[kB] = *base::IpAddress::parse("10.0.0.2");
  endpoint_[kA] = *base::Endpoint::parse("192.0.2.1:51820");
  endpoint_[kB] = *base::Endpoint::parse("192.0.2.2:51820");
  crypto::PrivateKey keys[2];
  for (int s = 0; s < 2; ++s) {
    DeviceConfig cfg;
    cfg.wall_offset_nanos = 1'700'000'000'000'000'000 - now_.to_nanos();
    auto gen = std::make_shared<std::mt19937>(uint32_t(seed * 2 + s));
    cfg.rng = [gen] { return uint32_t((*gen)()); };
    devices_[s] = std::make_unique<Device>(cfg);
    outputs_[s] = std::make_unique<Output>(*this, Side(s));
    keys[s] = crypto::x25519_generate();
    devices_[s]->set_private_key(keys[s]);
  }
  crypto::SymmetricKey psk;
  if (with_psk) psk = crypto::x25519_generate();  // any 32 random bytes
  for (int s = 0; s < 2; ++s) {
    int o = 1 - s;
    Peer& p = devices_[s]->add_peer(devices_[o]->local().public_key);
    devices_[s]->set_endpoint(p, endpoint_[o]);
    devices_[s]->add_allowed_ip(p, *base::IpPrefix::make(tunnel_ip_[o], 32));
    if (with_psk) devices_[s]->set_preshared_key(p, psk);
  }
}

TwoPeerSim::~TwoPeerSim() = default;

Peer& TwoPeerSim::peer_of(Side s) {
  return *devices_[s]->find_peer(devices_[1 - s]->local().public_key);
}

size_t TwoPeerSim::packet_count_delivered_tag(Side s, uint64_t tag) const {
  size_t n = 0;
  for (const auto& p : delivered_[s]) n += packet_tag(p) == tag;
  return n;
}

bool TwoPeerSim::chance(double p) {
  return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p;
}

void TwoPeerSim::send(Side s, size_t len, uint64_t tag) {
  auto packet = make_ip_packet(tunnel_ip_[s], tunnel_ip_[1 - s], len, tag);
  send_raw(s, packet);
}

void TwoPeerSim::send_raw(Side s, base::Bytes packet) {
  devices_[s]->send_packet(packet, now_, *outputs_[s]);
}

void TwoPeerSim::transmit(Side from, base::Bytes d) {
  ++link_stats_.sent;
  if (!d.empty() && d[0] >= 1 && d[0] <= 4) ++sent_types_[from][d[0]];
  if (filter_ && !filter_(from, d)) {
    ++link_stats_.filtered;
    return;
  }
  if (chance(link_.loss)) {
    ++link_stats_.lost;
    return;
  }
  int copies = 1;
  if (chance(link_.duplicate)) {
    ++link_stats_.duplicated;
    copies = 2;
  }
  for (int i = 0; i < copies; ++i) {
    base::Instant at = now_ + link_.delay;
    if (chance(link_.reorder)) {
      ++link_stats_.reordered;
      at += link_.reorder_delay;
    }
    queue_.push(InFlight{at, seq_++, Side(1 - from), endpoint_[from], {d.begin(), d.end()}});
  }
}

void TwoPeerSim::run_until(base::Instant until) {
  while (true) {
    base::Instant next = std::min(devices_[0]->next_deadline(), devices_[1]->next_deadline());
    if (!queue_.empty()) next = std::min(next, queue_.top().at);
    if (next > until) break;
    now_ = std::max(now_, next);
    if (!queue_.empty() && queue_.top().at <= now_) {
      InFlight f = queue_.top();
      queue_.pop();
      devices_[f.to]->receive_datagram(f.bytes, f.from, now_, under_load[f.to], *outputs_[f.to]);
      continue;
    }
    for (int s = 0; s < 2; ++s) devices_[s]->tick(now_, *outputs_[s]);
  }
  now_ = until;
}

}  // namespace mw::wg::testing
