// SPDX-License-Identifier: Apache-2.0
// MeshLab: in-process mesh nodes for node/ tests, each the real thing but for its ports: a
// MeshDaemon on an EventLoop with a real dp::Engine over a dp::testing::FakeIo, all on one
// FakeNetwork and one virtual clock, stepped in 5 ms turns.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/testing/temp_dir.h"
#include "dataplane/engine.h"
#include "dataplane/testing/fake_io.h"
#include "node/event_loop.h"
#include "node/mesh_daemon.h"
#include "node/path_manager.h"

namespace mw::node::testing {

// A LAN of mesh nodes at 10.77.0.<n>:51821.
class MeshLab {
 public:
  struct Node {
    std::unique_ptr<dp::testing::FakeIo> io;
    std::unique_ptr<dp::Engine> engine;
    std::unique_ptr<PathManager> paths;
    std::unique_ptr<EventLoop> loop;
    std::unique_ptr<MeshDaemon> daemon;
    trust::Identity identity;
    bool up = false;
  };
  MeshLab();
  ~MeshLab();
  // Adds node n (1-based, its identity from byte n) trusting the given nodes' keys.
  Node& add(uint8_t n, const std::vector<uint8_t>& trusts,
            trust::MeshPrefixes prefixes = trust::MeshPrefixes::defaults());
  // Starts node n, seeded with node `seed` (0: none); `wall_seconds` sets its incarnation.
  void start(uint8_t n, uint8_t seed, int64_t wall_seconds = 1'800'000'000);
  void crash(uint8_t n);  // stops turning it and takes its port off the network, no goodbye
  // Runs node n's graceful stop (the daemon's leave) as its loop does at exit.
  void stop(uint8_t n);
  void set_state_file(uint8_t n, std::string path) { state_files_[n] = std::move(path); }
  void run_for(base::Duration d);
  Node& node(uint8_t n) { return nodes_.at(n); }
  dp::testing::FakeNetwork& network() { return network_; }
  base::Instant now() const { return now_; }
  static base::Endpoint address(uint8_t n);

 private:
  base::testing::TempDir socket_dir_{"mw-meshlab"};  // first: removed after the nodes close
  dp::testing::FakeNetwork network_;
  std::map<uint8_t, Node> nodes_;
  std::map<uint8_t, std::vector<uint8_t>> trusts_;
  std::map<uint8_t, trust::MeshPrefixes> prefixes_;
  std::map<uint8_t, std::string> state_files_;
  base::Instant now_ = base::Instant() + base::Duration::seconds(1000);
};

}  // namespace mw::node::testing
