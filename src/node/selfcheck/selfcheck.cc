// SPDX-License-Identifier: Apache-2.0
// Self-check scenarios over wg::testing::TwoPeerSim: handshake, lossy traffic, rekey, expiry,
// a lost handshake response, and a cookie round trip under load.
#include "node/selfcheck/selfcheck.h"

#include <fmt/format.h>

#include <set>

#include "wireguard/constants.h"
#include "wireguard/testing/packets.h"
#include "wireguard/testing/two_peer_sim.h"

namespace mw::node {
namespace {

using base::Duration;
using wg::testing::TwoPeerSim;
using Side = TwoPeerSim::Side;

SelfcheckStep handshake_step() {
  TwoPeerSim sim;
  sim.send(Side::kA, 100, 1);
  sim.run_for(Duration::millis(20));
  bool ok = sim.packet_count_delivered_tag(Side::kB, 1) == 1 &&
            sim.device(Side::kA).stats().handshakes_completed == 1;
  return {"handshake", ok,
          fmt::format("initiation {} B, response {} B, first packet delivered: {}",
                      wg::kInitiationLen, wg::kResponseLen, ok ? "yes" : "no")};
}

SelfcheckStep lossy_step(const SelfcheckOptions& o) {
  wg::testing::LinkConditions link;
  link.loss = o.loss;
  link.duplicate = o.duplicate;
  link.reorder = o.reorder;
  TwoPeerSim sim(link, o.seed);
  for (uint64_t i = 0; i < o.packets; ++i) {
    sim.send(Side::kA, 64 + i % 1300, i);
    sim.send(Side::kB, 64 + i % 900, o.packets + i);
    sim.run_for(Duration::micros(500));
  }
  sim.run_for(Duration::seconds(2));
  bool ok = true;
  size_t got[2];
  for (Side s : {Side::kA, Side::kB}) {
    std::set<uint64_t> unique;
    for (const auto& p : sim.delivered(s)) unique.insert(wg::testing::packet_tag(p));
    got[s] = sim.delivered(s).size();
    ok = ok && unique.size() == got[s];  // never a duplicate
  }
  uint64_t replayed = sim.device(Side::kA).stats().drops(wg::DropReason::kReplayed) +
                      sim.device(Side::kB).stats().drops(wg::DropReason::kReplayed);
  const auto& ls = sim.link_stats();
  ok = ok && got[0] > 0 && got[1] > 0;
  return {"lossy link", ok,
          fmt::format("{} packets each way; link lost {}, duplicated {}, reordered {}; "
                      "delivered {} and {}, duplicates dropped by the replay window {}",
                      o.packets, ls.lost, ls.duplicated, ls.reordered, got[1], got[0], replayed)};
}

SelfcheckStep rekey_step() {
  TwoPeerSim sim;
  for (int s = 0; s < 300; ++s) {
    sim.send(Side::kA, 100, s);
    sim.run_for(Duration::seconds(1));
  }
  uint64_t handshakes = sim.device(Side::kA).stats().handshakes_completed;
  bool ok = handshakes >= 3 && sim.delivered(Side::kB).size() == 300;
  return {"rekey", ok,
          fmt::format("300 s of virtual time: {} sessions (a new one every 120 s), {}/300 "
                      "packets delivered",
                      handshakes, sim.delivered(Side::kB).size())};
}

SelfcheckStep expiry_step() {
  TwoPeerSim sim;
  sim.send(Side::kA, 100, 1);
  sim.run_for(Duration::millis(20));
  sim.conditions().loss = 1.0;
  sim.run_for(wg::kRejectAfterTime);
  uint64_t transport_before = sim.sent_of_type(Side::kA, 4);
  sim.send(Side::kA, 100, 2);
  bool ok = sim.sent_of_type(Side::kA, 4) == transport_before;
  sim.run_for(Duration::seconds(120));
  ok = ok && sim.peer_of(Side::kA).staged.empty();
  return {"expiry", ok,
          fmt::format("after 180 s nothing is sent on the old key; {} initiations then gave up",
                      sim.sent_of_type(Side::kA, 1) - 1)};
}

SelfcheckStep retry_step() {
  TwoPeerSim sim;
  bool dropped = false;
  sim.set_filter([&](Side, base::Bytes d) { return d[0] != 2 || std::exchange(dropped, true); });
  sim.send(Side::kA, 100, 1);
  sim.run_for(Duration::seconds(6));
  bool ok = dropped && sim.packet_count_delivered_tag(Side::kB, 1) == 1;
  return {"lost response", ok,
          fmt::format("first response dropped; retried after REKEY_TIMEOUT, {} initiations",
                      sim.sent_of_type(Side::kA, 1))};
}

SelfcheckStep cookie_step() {
  TwoPeerSim sim;
  sim.under_load[Side::kB] = true;
  sim.send(Side::kA, 100, 1);
  sim.run_for(Duration::seconds(6));
  bool ok = sim.device(Side::kB).stats().cookie_replies_sent == 1 &&
            sim.packet_count_delivered_tag(Side::kB, 1) == 1;
  return {"cookie under load", ok,
          fmt::format("responder under load sent {} cookie reply ({} B); the retry with mac2 "
                      "completed the handshake at once",
                      sim.device(Side::kB).stats().cookie_replies_sent, wg::kCookieReplyLen)};
}

}  // namespace

std::vector<SelfcheckStep> run_selfcheck(const SelfcheckOptions& options) {
  return {handshake_step(), lossy_step(options), rekey_step(),
          expiry_step(),    retry_step(),        cookie_step()};
}

}  // namespace mw::node
