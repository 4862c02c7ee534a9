// SPDX-License-Identifier: Apache-2.0
// MeshLab: starting, crashing and stopping nodes, and the turns of virtual time.
#include "node/testing/mesh_lab.h"

#include <fmt/format.h>

#include "trust/testing/identities.h"

namespace mw::node::testing {

MeshLab::MeshLab() = default;

MeshLab::~MeshLab() {
  for (auto& [n, node] : nodes_) {  // daemons before loops before engines before ports
    node.daemon.reset();
    node.loop.reset();
    node.paths.reset();
    node.engine.reset();
    node.io.reset();
  }
}

base::Endpoint MeshLab::address(uint8_t n) {
  return base::Endpoint{base::IpAddress::v4({10, 77, 0, n}), 51821};
}

MeshLab::Node& MeshLab::add(uint8_t n, const std::vector<uint8_t>& trusts,
                            trust::MeshPrefixes prefixes) {
  Node& node = nodes_[n];
  node.identity = trust::testing::identity_from_byte(n);
  trusts_[n] = trusts;
  prefixes_[n] = prefixes;
  return node;
}

void MeshLab::start(uint8_t n, uint8_t seed, int64_t wall_seconds) {
  Node& node = nodes_.at(n);
  MeshOptions o;
  o.identity = node.identity;
  o.trust = trust::TrustStore(node.identity.public_key);
  for (uint8_t t : trusts_[n])  // named as `meshward trust --name n<t>` would
    o.trust.add_authorized_key(trust::testing::identity_from_byte(t).public_key,
                               fmt::format("n{}", t));
  o.prefixes = prefixes_[n];
  o.configure_interface = false;
  if (auto it = state_files_.find(n); it != state_files_.end()) o.state_file = it->second;
  o.control_socket = fmt::format("{}/n{}-{}.sock", socket_dir_.path(), n, wall_seconds);
  if (seed) o.seeds.push_back(address(seed).to_string());
  node.daemon.reset();
  node.loop.reset();
  node.paths.reset();
  node.engine.reset();
  node.io.reset();
  dp::testing::FakeIoOptions io;
  io.address = address(n);
  node.io = std::make_unique<dp::testing::FakeIo>(network_, io);
  wg::DeviceConfig config;
  config.rng = [] { return 7u; };
  node.engine = std::make_unique<dp::Engine>(*node.io, dp::EngineOptions{}, std::move(config));
  node.paths = std::make_unique<PathManager>(*node.engine);
  auto loop = EventLoop::create(*node.io, *node.engine);
  if (!loop) return;
  node.loop = std::move(*loop);
  node.daemon = std::make_unique<MeshDaemon>(std::move(o), now_,
                                             base::WallTime{wall_seconds * 1'000'000'000});
  node.up = bool(node.daemon->start(*node.loop, *node.paths, now_));
}

void MeshLab::crash(uint8_t n) {
  Node& node = nodes_.at(n);
  node.up = false;
  node.io->move_to({base::IpAddress::v4({10, 78, 0, n}), 1});  // off the LAN
}

void MeshLab::stop(uint8_t n) { nodes_.at(n).loop->finish(now_); }

void MeshLab::run_for(base::Duration d) {
  base::Instant end = now_ + d;
  while (now_ < end) {
    // Turns at this instant until nothing is in flight (a reply is answered at once).
    for (int round = 0; round < 100; ++round) {
      bool any = false;
      for (auto& [n, node] : nodes_) {
        if (!node.up) continue;
        // Virtual time stands still while the handshake thread computes.
        node.engine->wait_handshake_thread();
        auto r = node.loop->turn(now_);
        any = (r && *r) || node.engine->queued_handshakes() > 0 || any;
      }
      if (!any) break;
    }
    now_ += base::Duration::millis(5);
  }
}

}  // namespace mw::node::testing
