// SPDX-License-Identifier: Apache-2.0
// FakeEngine and FakeLan: in-process mesh nodes on a virtual clock.
#include "node/testing/fake_engine.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "trust/testing/identities.h"
#include "wireguard/messages.h"

namespace mw::node::testing {

FakeEngine::FakeEngine(base::Endpoint self, std::deque<Datagram>* wire)
    : self_(self), wire_(wire), device_(wg::DeviceConfig{.rng = [] { return 7u; }}) {}

void FakeEngine::send_datagram(const base::Endpoint& to, base::Bytes datagram) {
  wire_->push_back(Datagram{self_, to, std::vector<uint8_t>(datagram.begin(), datagram.end())});
}

void FakeEngine::deliver_packet(base::Bytes ip_packet) {
  delivered.emplace_back(ip_packet.begin(), ip_packet.end());
}

FakeLan::FakeLan() = default;

FakeLan::~FakeLan() {
  nodes_.clear();  // the daemons point into wire_: close them before anything else goes
}

base::Endpoint FakeLan::address(uint8_t n) {
  return base::Endpoint{base::IpAddress::v4({10, 77, 0, n}), 51821};
}

FakeLan::Node& FakeLan::add(uint8_t n, const std::vector<uint8_t>& trusts,
                            trust::MeshPrefixes prefixes) {
  Node& node = nodes_[n];
  node.identity = trust::testing::identity_from_byte(n);
  trusts_[n] = trusts;
  prefixes_[n] = prefixes;
  return node;
}

void FakeLan::start(uint8_t n, uint8_t seed, int64_t wall_seconds) {
  Node& node = nodes_.at(n);
  MeshOptions o;
  o.identity = node.identity;
  o.trust = trust::TrustStore(node.identity.public_key);
  for (uint8_t t : trusts_[n])
    o.trust.add_authorized_key(trust::testing::identity_from_byte(t).public_key);
  o.prefixes = prefixes_[n];
  o.configure_interface = false;
  if (auto it = state_files_.find(n); it != state_files_.end()) o.state_file = it->second;
  o.control_socket = fmt::format("{}/n{}-{}.sock", socket_dir_.path(), n, wall_seconds);
  if (seed) o.seeds.push_back(address(seed).to_string());
  node.daemon.reset();
  node.engine = std::make_unique<FakeEngine>(address(n), &wire_);
  node.daemon = std::make_unique<MeshDaemon>(std::move(o), now_,
                                             base::WallTime{wall_seconds * 1'000'000'000});
  auto r = node.daemon->on_start(*node.engine, now_);
  node.up = bool(r);
}

void FakeLan::crash(uint8_t n) { nodes_.at(n).up = false; }

void FakeLan::deliver() {
  while (!wire_.empty()) {
    Datagram d = std::move(wire_.front());
    wire_.pop_front();
    for (auto& [n, node] : nodes_) {
      if (!node.up || node.engine->self() != d.to) continue;
      base::MutableBytes bytes(d.bytes.data(), d.bytes.size());
      if (wg::classify(bytes)) {
        node.engine->device().receive_datagram(bytes, d.from, now_, false, *node.engine);
      } else {
        node.daemon->on_datagram(*node.engine, bytes, d.from, now_);
      }
    }
  }
}

void FakeLan::run_for(base::Duration d) {
  base::Instant end = now_ + d;
  while (now_ < end) {
    deliver();
    for (auto& [n, node] : nodes_) {
      if (!node.up) continue;
      if (node.daemon->next_deadline() <= now_) node.daemon->on_tick(*node.engine, now_);
      if (node.engine->device().next_deadline() <= now_)
        node.engine->device().tick(now_, *node.engine);
    }
    deliver();
    now_ += base::Duration::millis(5);
  }
}

}  // namespace mw::node::testing
