// SPDX-License-Identifier: Apache-2.0
// In-process mesh nodes for node/ tests: each MeshDaemon rides on a FakeEngine (a real
// wg::Device, no TUN, no sockets) and a FakeLan carries datagrams between them on a virtual
// clock, WireGuard messages to the device and the rest to the daemon, as WgInterface does.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/testing/temp_dir.h"
#include "node/interface_hooks.h"
#include "node/mesh_daemon.h"

namespace mw::node::testing {

struct Datagram {
  base::Endpoint from, to;
  std::vector<uint8_t> bytes;
};

class FakeEngine final : public Engine, public wg::DeviceOutput {
 public:
  FakeEngine(base::Endpoint self, std::deque<Datagram>* wire);
  wg::Device& device() override { return device_; }
  wg::DeviceOutput& device_output() override { return *this; }
  void send_datagram(const base::Endpoint& to, base::Bytes datagram) override;
  void deliver_packet(base::Bytes ip_packet) override;
  uint16_t port() const override { return self_.port; }
  const std::string& name() const override { return name_; }
  std::string data_path() const override { return "fake"; }
  base::Result<void> watch_fd(int, uint64_t, bool) override { return {}; }
  base::Result<void> rewatch_fd(int, uint64_t, bool, bool) override { return {}; }
  void unwatch_fd(int) override {}
  void stop() override { stopped = true; }

  const base::Endpoint& self() const { return self_; }
  std::vector<std::vector<uint8_t>> delivered;  // IP packets that came out of tunnels
  bool stopped = false;

 private:
  base::Endpoint self_;
  std::deque<Datagram>* wire_;
  wg::Device device_;
  std::string name_ = "fake0";
};

// A LAN of mesh nodes at 10.77.0.<n>:51821, stepped in 5 ms ticks of virtual time.
class FakeLan {
 public:
  struct Node {
    std::unique_ptr<FakeEngine> engine;
    std::unique_ptr<MeshDaemon> daemon;
    trust::Identity identity;
    bool up = false;
  };
  FakeLan();
  ~FakeLan();
  // Adds node n (1-based, its identity from byte n) trusting the given nodes' keys.
  Node& add(uint8_t n, const std::vector<uint8_t>& trusts,
            trust::MeshPrefixes prefixes = trust::MeshPrefixes::defaults());
  // Starts node n, seeded with node `seed` (0: none); `wall_seconds` sets its incarnation.
  void start(uint8_t n, uint8_t seed, int64_t wall_seconds = 1'800'000'000);
  void crash(uint8_t n);  // stops delivering to and ticking it, without a goodbye
  void set_state_file(uint8_t n, std::string path) { state_files_[n] = std::move(path); }
  void run_for(base::Duration d);
  Node& node(uint8_t n) { return nodes_.at(n); }
  base::Instant now() const { return now_; }
  static base::Endpoint address(uint8_t n);

 private:
  void deliver();
  base::testing::TempDir socket_dir_{"mw-fakelan"};  // first: removed after the nodes close
  std::map<uint8_t, Node> nodes_;
  std::map<uint8_t, std::vector<uint8_t>> trusts_;
  std::map<uint8_t, trust::MeshPrefixes> prefixes_;
  std::map<uint8_t, std::string> state_files_;
  std::deque<Datagram> wire_;
  base::Instant now_ = base::Instant() + base::Duration::seconds(1000);
};

}  // namespace mw::node::testing
