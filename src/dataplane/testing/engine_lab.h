// SPDX-License-Identifier: Apache-2.0
// EngineLab: real dp::Engines over FakeIo ports on one FakeNetwork, stepped on a virtual
// clock the way node's loop drives them (ready ports, then on_wake_end), for engine tests and
// the engine benchmark. Node i listens at 10.9.0.i:51820 and owns 10.10.0.i inside the tunnel.
#pragma once

#include <memory>
#include <vector>

#include "crypto/keys.h"
#include "dataplane/engine.h"
#include "dataplane/testing/fake_io.h"

namespace mw::dp::testing {

class EngineLab {
 public:
  struct Node {
    std::unique_ptr<FakeIo> io;
    std::unique_ptr<Engine> engine;
    crypto::PrivateKey private_key;
    crypto::PublicKey public_key;
  };
  // `count` nodes with the given port options (address is set per node), not yet peers.
  EngineLab(size_t count, const FakeIoOptions& io_options, const EngineOptions& engine_options = {},
            uint32_t seed = 1);
  // Makes a and b peers of each other: endpoint, and the other's tunnel address as allowed IP.
  void pair(size_t a, size_t b);
  Node& node(size_t i) { return nodes_.at(i); }
  Engine& engine(size_t i) { return *nodes_.at(i).engine; }
  FakeIo& io(size_t i) { return *nodes_.at(i).io; }
  FakeNetwork& network() { return network_; }
  base::Instant now() const { return now_; }

  // Runs wakes at the current time until no port has anything pending (at most `max_wakes`).
  void settle(size_t max_wakes = 10000);
  // Advances the clock in `step`s, settling after each, for `d` in all.
  void run_for(base::Duration d, base::Duration step = base::Duration::millis(10));
  // One wake of node i: every ready port, then on_wake_end. Returns whether anything was ready.
  bool wake(size_t i);

  static base::Endpoint address(size_t i);
  static base::IpAddress tunnel_address(size_t i);

 private:
  FakeNetwork network_;
  std::vector<Node> nodes_;
  base::Instant now_ = base::Instant() + base::Duration::seconds(1000);
};

}  // namespace mw::dp::testing
