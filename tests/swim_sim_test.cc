// SPDX-License-Identifier: Apache-2.0
// The SWIM membership in a deterministic simulated mesh of 50 nodes: join convergence through
// one seed, failure detection latency, false suspicions under 10% loss, a healed partition and
// steady-state gossip load. Each measured figure is printed as one "[sim] ..." line and checked
// against a generous bound.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "discovery/testing/swim_sim.h"

namespace mw::swim {
namespace {

using base::Duration;
using testing::SimOptions;
using testing::SwimSim;

constexpr size_t kNodes = 50;

// Starts every node through node 0 as seed, one every 20 ms, and runs until converged.
std::optional<Duration> join_all(SwimSim& sim) {
  sim.start(0, std::nullopt);
  for (size_t i = 1; i < sim.size(); ++i) {
    sim.run_for(Duration::millis(20));
    sim.start(i, 0);
  }
  return sim.run_until([&] { return sim.converged(); }, Duration::seconds(120));
}

double seconds(Duration d) { return d.to_seconds_f(); }

TEST(SwimSim, JoinConvergesAndDetectsCrashes) {
  SimOptions opt;
  opt.nodes = kNodes;
  opt.seed = 11;
  SwimSim sim(opt);
  base::Instant t0 = sim.now();
  auto joined = join_all(sim);
  ASSERT_TRUE(joined.has_value()) << "did not converge";
  Duration convergence = sim.now() - t0;
  std::printf("[sim] convergence %zu nodes through one seed: %.1f s\n", kNodes,
              seconds(convergence));
  EXPECT_LT(convergence, Duration::seconds(30));

  // Steady state: gossip load with nothing changing.
  sim.run_for(Duration::seconds(10));
  uint64_t gossip_before = 0, bytes_before = sim.bytes_sent();
  for (size_t i = 0; i < sim.size(); ++i) gossip_before += sim.node(i).stats().gossip_bytes_sent;
  const Duration window = Duration::seconds(60);
  sim.run_for(window);
  uint64_t gossip_after = 0;
  for (size_t i = 0; i < sim.size(); ++i) gossip_after += sim.node(i).stats().gossip_bytes_sent;
  double gossip_rate = double(gossip_after - gossip_before) / kNodes / seconds(window);
  double wire_rate = double(sim.bytes_sent() - bytes_before) / kNodes / seconds(window);
  std::printf("[sim] steady state per node: %.0f gossip bytes/s, %.0f datagram bytes/s\n",
              gossip_rate, wire_rate);
  EXPECT_LT(gossip_rate, 2000);
  EXPECT_LT(wire_rate, 4000);
  EXPECT_TRUE(sim.converged());

  // Crash nodes one at a time and time until every live node marks each failed.
  std::vector<double> detect;
  for (size_t victim : {7, 19, 23, 31, 42, 48}) {
    sim.crash(victim);
    auto t = sim.run_until([&] { return sim.all_see_down(victim); }, Duration::seconds(120),
                           Duration::millis(50));
    ASSERT_TRUE(t.has_value()) << "crash of node " << victim << " never detected by all";
    detect.push_back(seconds(*t));
    sim.run_for(Duration::seconds(5));
  }
  std::sort(detect.begin(), detect.end());
  double p50 = detect[detect.size() / 2];
  double p99 = detect.back();
  std::printf(
      "[sim] failure detection (all nodes mark it failed), %zu crashes: p50 %.1f s, "
      "p99 %.1f s\n",
      detect.size(), p50, p99);
  EXPECT_LT(p99, 60);
  EXPECT_EQ(sim.stuck_ticks(), 0u);
}

TEST(SwimSim, FalseSuspicionsUnderLoss) {
  SimOptions opt;
  opt.nodes = kNodes;
  opt.seed = 23;
  SwimSim sim(opt);
  ASSERT_TRUE(join_all(sim).has_value());
  uint64_t suspicions = 0, failed = 0;
  for (size_t i = 0; i < sim.size(); ++i) {
    suspicions += sim.node(i).stats().suspicions;
    failed += sim.node(i).stats().members_failed;
  }
  sim.set_loss(0.10);
  const Duration window = Duration::seconds(600);
  sim.run_for(window);
  uint64_t suspicions_after = 0, failed_after = 0;
  for (size_t i = 0; i < sim.size(); ++i) {
    suspicions_after += sim.node(i).stats().suspicions;
    failed_after += sim.node(i).stats().members_failed;
  }
  double node_hours = kNodes * seconds(window) / 3600;
  double false_suspicions = double(suspicions_after - suspicions) / node_hours;
  // Every observer counts a death: divide by the n-1 observers for distinct deaths.
  double false_failures = double(failed_after - failed) / double(kNodes - 1) / node_hours;
  std::printf(
      "[sim] 10%% loss, %zu nodes, %.0f s: %.1f false suspicions per node-hour, %.2f "
      "false deaths (later refuted) per node-hour\n",
      kNodes, seconds(window), false_suspicions, false_failures);
  EXPECT_LT(false_suspicions, 60);
  EXPECT_LT(false_failures, 0.5);
  sim.set_loss(0);
  EXPECT_TRUE(sim.run_until([&] { return sim.converged(); }, Duration::seconds(60)).has_value());
  EXPECT_EQ(sim.stuck_ticks(), 0u);
}

TEST(SwimSim, PartitionHeals) {
  SimOptions opt;
  opt.nodes = kNodes;
  opt.seed = 37;
  SwimSim sim(opt);
  ASSERT_TRUE(join_all(sim).has_value());
  auto side = [](size_t i) { return i < kNodes / 2; };
  sim.set_blocked([&](size_t a, size_t b) { return side(a) != side(b); });
  auto split = sim.run_until(
      [&] {
        for (size_t i = 0; i < kNodes; ++i) {
          for (size_t j = 0; j < kNodes; ++j) {
            if (side(i) != side(j) && sim.state_of(i, j) != MemberState::kDead) return false;
          }
        }
        return true;
      },
      Duration::seconds(180));
  ASSERT_TRUE(split.has_value()) << "halves never declared each other dead";
  std::printf(
      "[sim] partition into two halves of %zu: each side marks the other failed after "
      "%.1f s\n",
      kNodes / 2, seconds(*split));
  // Both halves stay healthy inside.
  for (size_t i = 0; i < kNodes; ++i) {
    for (size_t j = 0; j < kNodes; ++j) {
      if (i != j && side(i) == side(j)) {
        EXPECT_EQ(sim.state_of(i, j), MemberState::kAlive);
      }
    }
  }
  sim.set_blocked(nullptr);
  auto healed = sim.run_until([&] { return sim.converged(); }, Duration::seconds(300));
  ASSERT_TRUE(healed.has_value()) << "partition did not heal";
  std::printf("[sim] partition healed: all %zu nodes see all alive again after %.1f s\n", kNodes,
              seconds(*healed));
  EXPECT_LT(*healed, Duration::seconds(120));
  EXPECT_EQ(sim.stuck_ticks(), 0u);
}

TEST(SwimSim, CrashedNodeRestartsAndRejoins) {
  SimOptions opt;
  opt.nodes = 20;
  opt.seed = 5;
  SwimSim sim(opt);
  ASSERT_TRUE(join_all(sim).has_value());
  sim.crash(3);
  ASSERT_TRUE(sim.run_until([&] { return sim.all_see_down(3); }, Duration::seconds(120)));
  sim.run_for(Duration::seconds(2));
  sim.restart(3, 0);
  auto back = sim.run_until([&] { return sim.converged(); }, Duration::seconds(60));
  ASSERT_TRUE(back.has_value());
  std::printf(
      "[sim] crashed node restarted with a new incarnation: all see it alive after "
      "%.1f s\n",
      seconds(*back));
  EXPECT_EQ(sim.stuck_ticks(), 0u);
}

}  // namespace
}  // namespace mw::swim
