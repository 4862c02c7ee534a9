// SPDX-License-Identifier: Apache-2.0
// mw-swim-scale: the SWIM membership at scale, in the deterministic simulator (virtual clock, no
// network, no root). One run measures, for N nodes (default 1,000):
//   - join: every node started through one seed, 10 ms apart; time until all see all alive;
//   - steady state: gossip bytes per second per node, and all mesh datagram bytes;
//   - crashes: K nodes (default 20) crash one at a time; for every (observer, victim) pair the
//     time until that observer marks the victim failed, p50/p99, and until all have;
//   - departures: K nodes leave gracefully; time until every other node has them as left;
//   - loss: M minutes (default 10) with P (default 5 %) of datagrams lost; suspicions raised and
//     members declared failed per node-hour (all of them false: nobody is down).
// Prints one line per figure and, last, whether each target of BENCHMARKS.md holds; exits 1 if
// one does not (so a CI smoke run of a small mesh catches a regression).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/testing/swim_sim.h"

namespace {

using mw::base::Duration;
using mw::swim::MemberState;
using mw::swim::testing::SimOptions;
using mw::swim::testing::SwimSim;

struct Options {
  size_t nodes = 1000;
  uint64_t seed = 1;
  size_t crashes = 20;
  double loss_minutes = 10;
  double loss = 0.05;
  int64_t join_interval_ms = 10;
  bool verbose = false;
  // Targets (issue 13): detection p99, false suspicions per node-hour, gossip per node.
  double max_detect_p99 = 15;
  double max_false_suspicions = 1;
  double max_gossip_rate = 5000;
};

void usage() {
  std::fprintf(stderr,
               "usage: mw-swim-scale [--nodes N] [--seed S] [--crashes K] [--loss-minutes M]\n"
               "                     [--loss P] [--join-interval-ms T] [--verbose 0|1]\n"
               "Simulates N SWIM nodes (default 1000, 10..60000) on a virtual clock, started T ms\n"
               "apart (default 10) through one seed, and prints join time (--verbose 1: its\n"
               "progress), gossip load, failure detection and departure times over K crashes and\n"
               "K departures (default 20), and false suspicions over M minutes (default 10) at\n"
               "loss P (default 0.05). Exits 1 if a target is missed.\n");
}

template <typename T>
bool parse_number(std::string_view text, T* out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

std::optional<Options> parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return std::nullopt;
    if (i + 1 >= argc) {
      std::fprintf(stderr, "mw-swim-scale: %s needs a value\n", argv[i]);
      return std::nullopt;
    }
    std::string_view value = argv[++i];
    bool ok = false;
    if (arg == "--nodes") {
      ok = parse_number(value, &o.nodes) && o.nodes >= 10 && o.nodes <= 60000;
    } else if (arg == "--seed") {
      ok = parse_number(value, &o.seed);
    } else if (arg == "--crashes") {
      ok = parse_number(value, &o.crashes) && o.crashes >= 1;
    } else if (arg == "--loss-minutes") {
      ok = parse_number(value, &o.loss_minutes) && o.loss_minutes >= 0 && o.loss_minutes <= 600;
    } else if (arg == "--join-interval-ms") {
      ok = parse_number(value, &o.join_interval_ms) && o.join_interval_ms >= 0 &&
           o.join_interval_ms <= 10000;
    } else if (arg == "--verbose") {
      ok = value == "1" || value == "0";
      o.verbose = value == "1";
    } else if (arg == "--loss") {
      ok = parse_number(value, &o.loss) && o.loss >= 0 && o.loss < 1;
    } else {
      std::fprintf(stderr, "mw-swim-scale: unknown option %s\n", argv[i - 1]);
      return std::nullopt;
    }
    if (!ok) {
      std::fprintf(stderr, "mw-swim-scale: bad value '%s' for %s\n", argv[i], argv[i - 1]);
      return std::nullopt;
    }
  }
  if (o.crashes * 2 + 2 > o.nodes) {
    std::fprintf(stderr, "mw-swim-scale: --crashes %zu needs at least %zu nodes\n", o.crashes,
                 o.crashes * 2 + 2);
    return std::nullopt;
  }
  return o;
}

double seconds(Duration d) { return d.to_seconds_f(); }

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t idx = static_cast<size_t>(p * double(v.size() - 1) + 0.5);
  return v[std::min(idx, v.size() - 1)];
}

bool is_down(std::optional<MemberState> s) {
  return s == MemberState::kDead || s == MemberState::kLeft;
}

struct Totals {
  uint64_t suspicions = 0;
  uint64_t failed = 0;
  uint64_t gossip_bytes = 0;
};

Totals totals(const SwimSim& sim) {
  Totals t;
  for (size_t i = 0; i < sim.size(); ++i) {
    if (!sim.up(i)) continue;
    t.suspicions += sim.node(i).stats().suspicions;
    t.failed += sim.node(i).stats().members_failed;
    t.gossip_bytes += sim.node(i).stats().gossip_bytes_sent;
  }
  return t;
}

// Takes `victim` down (crash or leave) and follows every other up node until it marks the
// victim down. Appends each observer's delay to `per_observer`; returns the time until all had,
// or nullopt after 120 s.
std::optional<double> take_down(SwimSim& sim, size_t victim, bool graceful,
                                std::vector<double>* per_observer) {
  std::vector<size_t> watching;
  for (size_t i = 0; i < sim.size(); ++i) {
    if (i != victim && sim.up(i)) watching.push_back(i);
  }
  if (graceful) {
    sim.leave(victim);
  } else {
    sim.crash(victim);
  }
  mw::base::Instant t0 = sim.now();
  const Duration step = Duration::millis(50);
  while (!watching.empty() && sim.now() - t0 < Duration::seconds(120)) {
    sim.run_for(step);
    auto still = std::remove_if(watching.begin(), watching.end(), [&](size_t o) {
      if (!is_down(sim.state_of(o, victim))) return false;
      per_observer->push_back(seconds(sim.now() - t0));
      return true;
    });
    watching.erase(still, watching.end());
  }
  if (!watching.empty()) return std::nullopt;
  return seconds(sim.now() - t0);
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<Options> parsed = parse(argc, argv);
  if (!parsed) {
    usage();
    return 2;
  }
  const Options& o = *parsed;
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // each figure as soon as it is known
  SimOptions sim_options;
  sim_options.nodes = o.nodes;
  sim_options.seed = o.seed;
  SwimSim sim(sim_options);
  std::mt19937_64 rng(o.seed);
  bool ok = true;

  // Join through one seed.
  mw::base::Instant t0 = sim.now();
  sim.start(0, std::nullopt);
  for (size_t i = 1; i < sim.size(); ++i) {
    sim.run_for(Duration::millis(o.join_interval_ms));
    sim.start(i, 0);
  }
  mw::base::Instant last_start = sim.now();
  auto joined = sim.run_until(
      [&] {
        if (o.verbose) {
          size_t least = o.nodes, most = 0;
          for (size_t i = 0; i < sim.size(); ++i) {
            least = std::min(least, sim.node(i).alive_count());
            most = std::max(most, sim.node(i).alive_count());
          }
          std::printf("  t=%.1f s: each node sees %zu..%zu alive\n", seconds(sim.now() - t0), least,
                      most);
        }
        return sim.converged();
      },
      Duration::seconds(600), Duration::millis(o.verbose ? 2000 : 250));
  if (!joined) {
    std::printf("join: %zu nodes did not converge within 600 s of the last start\n", o.nodes);
    return 1;
  }
  std::printf(
      "join: %zu nodes through one seed, started %lld ms apart: all see all alive %.1f s after "
      "the first start (%.1f s after the last)\n",
      o.nodes, static_cast<long long>(o.join_interval_ms), seconds(sim.now() - t0),
      seconds(sim.now() - last_start));

  // Every node re-broadcasts each claim it learned; at 1,000 nodes that backlog takes minutes
  // to drain (16 transmissions of 999 claims, about 10 per gossip datagram). Steady state is
  // measured after it, and the crashes too, so that they do not queue behind the join.
  mw::base::Instant drain_start = sim.now();
  auto drained = sim.run_until(
      [&] {
        for (size_t i = 0; i < sim.size(); ++i) {
          if (sim.node(i).queued_broadcasts() > 0) return false;
        }
        return true;
      },
      Duration::seconds(900), Duration::seconds(1));
  std::printf("join backlog: every gossip queue empty %s%.0f s after all saw all\n",
              drained ? "" : "not yet ", (sim.now() - drain_start).to_seconds_f());
  sim.run_for(Duration::seconds(10));
  Totals before = totals(sim);
  uint64_t wire_before = sim.bytes_sent();
  const Duration window = Duration::seconds(60);
  sim.run_for(window);
  Totals after = totals(sim);
  double gossip_rate =
      double(after.gossip_bytes - before.gossip_bytes) / double(o.nodes) / seconds(window);
  double wire_rate = double(sim.bytes_sent() - wire_before) / double(o.nodes) / seconds(window);
  std::printf(
      "steady state, %zu nodes, %.0f s: %.0f gossip bytes/s per node; all mesh datagrams %.0f "
      "bytes/s per node\n",
      o.nodes, seconds(window), gossip_rate, wire_rate);

  // Victims: distinct, never the seed.
  std::vector<size_t> order(o.nodes - 1);
  for (size_t i = 0; i < order.size(); ++i) order[i] = i + 1;
  std::shuffle(order.begin(), order.end(), rng);

  std::vector<double> detect_each, detect_all;
  for (size_t k = 0; k < o.crashes; ++k) {
    auto all = take_down(sim, order[k], false, &detect_each);
    if (!all) {
      std::printf("crash of node %zu: not detected by every node within 120 s\n", order[k]);
      ok = false;
      continue;
    }
    detect_all.push_back(*all);
    sim.run_for(Duration::seconds(2));
  }
  std::printf(
      "failure detection, %zu crashes x %zu observers: p50 %.1f s, p99 %.1f s per observer; "
      "all observers: p50 %.1f s, max %.1f s\n",
      o.crashes, o.nodes - 1, percentile(detect_each, 0.5), percentile(detect_each, 0.99),
      percentile(detect_all, 0.5), percentile(detect_all, 1.0));
  double detect_p99 = percentile(detect_each, 0.99);

  std::vector<double> leave_each, leave_all;
  for (size_t k = 0; k < o.crashes; ++k) {
    auto all = take_down(sim, order[o.crashes + k], true, &leave_each);
    if (!all) {
      std::printf("departure of node %zu: not seen by every node within 120 s\n",
                  order[o.crashes + k]);
      ok = false;
      continue;
    }
    leave_all.push_back(*all);
    sim.run_for(Duration::seconds(1));
  }
  std::printf(
      "departures, %zu leaves: every node has it as left after p50 %.2f s, max %.2f s "
      "(per observer p99 %.2f s)\n",
      o.crashes, percentile(leave_all, 0.5), percentile(leave_all, 1.0),
      percentile(leave_each, 0.99));

  // The crashed and departed nodes come back, so the loss run has the whole mesh.
  for (size_t k = 0; k < 2 * o.crashes; ++k) sim.restart(order[k], 0);
  auto rejoined =
      sim.run_until([&] { return sim.converged(); }, Duration::seconds(300), Duration::millis(250));
  if (!rejoined) {
    std::printf("rejoin: the %zu restarted nodes did not converge within 300 s\n", 2 * o.crashes);
    return 1;
  }
  std::printf("rejoin: %zu restarted nodes, all see all alive again after %.1f s\n", 2 * o.crashes,
              seconds(*rejoined));

  double false_suspicions = 0, false_failures = 0;
  if (o.loss_minutes > 0) {
    sim.run_for(Duration::seconds(30));
    Totals a = totals(sim);
    sim.set_loss(o.loss);
    const Duration loss_window = Duration::millis(static_cast<int64_t>(o.loss_minutes * 60000));
    sim.run_for(loss_window);
    Totals b = totals(sim);
    double node_hours = double(o.nodes) * seconds(loss_window) / 3600;
    false_suspicions = double(b.suspicions - a.suspicions) / node_hours;
    // Every observer counts a death: divide by the n-1 observers for distinct deaths.
    false_failures = double(b.failed - a.failed) / double(o.nodes - 1) / node_hours;
    std::printf(
        "loss %.0f %%, %zu nodes, %.0f s: %.2f false suspicions per node-hour, %.3f false "
        "failures per node-hour\n",
        o.loss * 100, o.nodes, seconds(loss_window), false_suspicions, false_failures);
    sim.set_loss(0);
  }
  if (sim.stuck_ticks() != 0) {
    std::printf("scheduling: %llu ticks found their deadline not in the future\n",
                static_cast<unsigned long long>(sim.stuck_ticks()));
    ok = false;
  }

  auto verdict = [&](const char* what, bool met, double value, double target) {
    std::printf("target %s: %.2f against %.2f: %s\n", what, value, target, met ? "met" : "MISSED");
    ok = ok && met;
  };
  verdict("detection p99 (s) <=", detect_p99 <= o.max_detect_p99, detect_p99, o.max_detect_p99);
  if (o.loss_minutes > 0) {
    verdict("false suspicions per node-hour <", false_suspicions < o.max_false_suspicions,
            false_suspicions, o.max_false_suspicions);
  }
  verdict("gossip bytes/s per node <=", gossip_rate <= o.max_gossip_rate, gossip_rate,
          o.max_gossip_rate);
  return ok ? 0 : 1;
}
