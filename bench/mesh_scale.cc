// SPDX-License-Identifier: Apache-2.0
// mw-mesh-scale: N complete mesh daemons (MeshDaemon, EventLoop and a real engine, on the fake
// network of node/testing/MeshLab, virtual clock, no root) on one LAN. Every node trusts every
// other; node 1 starts alone and the others join through it, 20 ms apart. Measures:
//   - join: until every daemon has every other as an alive member AND as a WireGuard peer;
//   - steady state: mesh datagrams and bytes per node per second (all of the membership's
//     traffic; WireGuard keepalives and handshakes are not in it);
//   - a crash: until every other daemon has removed the crashed node's WireGuard peer.
// Prints one line per figure; exits 1 if the mesh does not converge within 300 s.
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <vector>

#include "base/log.h"
#include "node/testing/mesh_lab.h"
#include "trust/identity.h"
#include "trust/testing/identities.h"

namespace {

using mw::base::Duration;
using mw::node::testing::MeshLab;

bool parse_nodes(int argc, char** argv, int* nodes) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--nodes" && i + 1 < argc) {
      std::string_view v = argv[++i];
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), *nodes);
      if (ec != std::errc() || end != v.data() + v.size() || *nodes < 3 || *nodes > 250) {
        return false;
      }
    } else {
      return false;
    }
  }
  return true;
}

// Every up node has every other up node as an alive member and as a WireGuard peer.
bool converged(MeshLab& lan, int n, int down = 0) {
  size_t others = size_t(n - 1 - (down ? 1 : 0));
  for (int i = 1; i <= n; ++i) {
    if (i == down) continue;
    MeshLab::Node& node = lan.node(uint8_t(i));
    if (node.daemon->membership().alive_count() != others) return false;
    if (node.engine->device().peer_count() != others) return false;
  }
  return true;
}

uint64_t mesh_datagrams(MeshLab& lan, int n, uint64_t* bytes) {
  uint64_t d = 0;
  *bytes = 0;
  for (int i = 1; i <= n; ++i) {
    const auto& s = lan.node(uint8_t(i)).daemon->membership().stats();
    d += s.datagrams_sent;
    *bytes += s.gossip_bytes_sent;
  }
  return d;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 200;
  if (!parse_nodes(argc, argv, &n)) {
    std::fprintf(stderr,
                 "usage: mw-mesh-scale [--nodes N]\n"
                 "Runs N (3..250, default 200) mesh daemons on a simulated LAN and prints join\n"
                 "time, steady-state mesh traffic and the time to remove a crashed node.\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  mw::base::set_log_level(getenv("MW_SCALE_LOG")
                              ? mw::base::LogLevel::kDebug
                              : mw::base::LogLevel::kError);  // N daemons' joins would flood stderr
  MeshLab lan;
  std::vector<uint8_t> all;
  for (int i = 1; i <= n; ++i) all.push_back(uint8_t(i));
  for (int i = 1; i <= n; ++i) {
    std::vector<uint8_t> trusts;
    for (uint8_t t : all) {
      if (t != i) trusts.push_back(t);
    }
    lan.add(uint8_t(i), trusts);
  }
  mw::base::Instant t0 = lan.now();
  lan.start(1, 0);
  for (int i = 2; i <= n; ++i) {
    lan.run_for(Duration::millis(20));
    lan.start(uint8_t(i), 1);
    if (!lan.node(uint8_t(i)).up) {
      std::printf("node %d did not start\n", i);
      return 1;
    }
  }
  mw::base::Instant last = lan.now();
  int step = 0;
  while (!converged(lan, n) && lan.now() - last < Duration::seconds(300)) {
    lan.run_for(Duration::millis(250));
    if (getenv("MW_SCALE_VERBOSE") && ++step % 20 == 0) {
      size_t min_alive = 1000, min_peers = 1000;
      for (int i = 1; i <= n; ++i) {
        min_alive = std::min(min_alive, lan.node(uint8_t(i)).daemon->membership().alive_count());
        min_peers = std::min(min_peers, lan.node(uint8_t(i)).engine->device().peer_count());
      }
      std::printf("  t=%.0f s: least alive members %zu, least WireGuard peers %zu; drops:",
                  (lan.now() - t0).to_seconds_f(), min_alive, min_peers);
      for (size_t r = 0; r < size_t(mw::swim::DropReason::kCount); ++r) {
        uint64_t total = 0;
        for (int i = 1; i <= n; ++i) {
          total += lan.node(uint8_t(i)).daemon->membership().stats().drops[r];
        }
        if (total)
          std::printf(" %s=%llu", mw::swim::drop_reason_name(mw::swim::DropReason(r)),
                      static_cast<unsigned long long>(total));
      }
      std::printf("\n");
    }
  }
  if (!converged(lan, n)) {
    std::printf("join: %d daemons did not converge within 300 s of the last start\n", n);
    return 1;
  }
  uint64_t suspicions = 0, failed = 0;
  for (int i = 1; i <= n; ++i) {
    suspicions += lan.node(uint8_t(i)).daemon->membership().stats().suspicions;
    failed += lan.node(uint8_t(i)).daemon->membership().stats().members_failed;
  }
  std::printf(
      "join: %d daemons through one seed, started 20 ms apart: every one has every other as "
      "an alive member and a WireGuard peer %.1f s after the first start (%.1f s after the "
      "last); meanwhile %llu suspicions raised, %llu members declared failed (all false)\n",
      n, (lan.now() - t0).to_seconds_f(), (lan.now() - last).to_seconds_f(),
      static_cast<unsigned long long>(suspicions), static_cast<unsigned long long>(failed));

  lan.run_for(Duration::seconds(10));
  uint64_t bytes_before = 0, bytes_after = 0;
  uint64_t before = mesh_datagrams(lan, n, &bytes_before);
  const Duration window = Duration::seconds(30);
  lan.run_for(window);
  uint64_t after = mesh_datagrams(lan, n, &bytes_after);
  std::printf(
      "steady state, %d daemons, %.0f s: %.1f mesh datagrams and %.0f gossip bytes per node "
      "per second\n",
      n, window.to_seconds_f(), double(after - before) / n / window.to_seconds_f(),
      double(bytes_after - bytes_before) / n / window.to_seconds_f());

  int victim = n / 2;
  lan.crash(uint8_t(victim));
  mw::base::Instant crashed = lan.now();
  while (!converged(lan, n, victim) && lan.now() - crashed < Duration::seconds(120)) {
    lan.run_for(Duration::millis(100));
  }
  if (!converged(lan, n, victim)) {
    std::printf("crash: node %d's peer was not removed everywhere within 120 s\n", victim);
    return 1;
  }
  std::printf(
      "crash of node %d: every other daemon removed its member and WireGuard peer after %.1f "
      "s\n",
      victim, (lan.now() - crashed).to_seconds_f());
  return 0;
}
