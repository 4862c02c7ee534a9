// SPDX-License-Identifier: Apache-2.0
// SwimSim: a deterministic in-process mesh of Membership nodes on a virtual clock, joined by a
// simulated UDP network with per-link delay and jitter, loss and partitions. The same seed
// always gives the same run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include "base/ip_address.h"
#include "base/time.h"
#include "discovery/membership.h"
#include "trust/identity.h"

namespace mw::swim::testing {

struct SimOptions {
  size_t nodes = 50;
  uint64_t seed = 1;
  Config config;
  base::Duration delay = base::Duration::millis(10);   // one-way base latency
  base::Duration jitter = base::Duration::millis(10);  // plus uniform [0, jitter)
  double loss = 0;                                     // per datagram
  bool open_trust = false;  // else every node authorizes every node's key
};

class SwimSim {
 public:
  explicit SwimSim(SimOptions options);
  ~SwimSim();

  size_t size() const { return identities_.size(); }
  Membership& node(size_t i) { return *nodes_[i]; }
  const Membership& node(size_t i) const { return *nodes_[i]; }
  const trust::Identity& identity(size_t i) const { return identities_[i]; }
  base::Endpoint endpoint(size_t i) const;
  base::Instant now() const { return now_; }
  base::WallTime wall() const;
  bool up(size_t i) const { return up_[i]; }

  // Starts node i with incarnation = wall seconds + restarts (so a restart supersedes), its
  // endpoint announced, and `seed`'s endpoint as join seed.
  void start(size_t i, std::optional<size_t> seed);
  // Node i stops: nothing is delivered to it and it is not ticked.
  void crash(size_t i);
  // Node i leaves gracefully (its goodbye goes out), then stops as in crash().
  void leave(size_t i);
  // A fresh Membership for node i (same identity, larger incarnation), joined through `seed`.
  void restart(size_t i, std::optional<size_t> seed);

  void set_loss(double loss) { loss_ = loss; }
  // Return true to drop datagrams from -> to (partitions, lossy links).
  void set_blocked(std::function<bool(size_t from, size_t to)> blocked) {
    blocked_ = std::move(blocked);
  }

  void run_for(base::Duration d) { run_until(now_ + d); }
  void run_until(base::Instant t);
  // Runs until pred() holds, checking every `step`; the time it took, or nullopt after `limit`.
  std::optional<base::Duration> run_until(const std::function<bool()>& pred, base::Duration limit,
                                          base::Duration step = base::Duration::millis(100));

  // What `observer` thinks of `subject` (nullopt: unknown).
  std::optional<MemberState> state_of(size_t observer, size_t subject) const;
  // Every up node sees every other up node alive.
  bool converged() const;
  // Every up node other than `subject` sees it dead (or left).
  bool all_see_down(size_t subject) const;

  // Ticks after which a node's next_deadline() was not in the future (a scheduling bug).
  uint64_t stuck_ticks() const { return stuck_ticks_; }
  uint64_t datagrams_delivered() const { return delivered_; }
  uint64_t bytes_sent() const { return bytes_sent_; }

 private:
  class NodeTransport;
  struct Packet {
    base::Instant at;
    uint64_t order;
    size_t to;
    base::Endpoint from;
    std::vector<uint8_t> bytes;
    bool operator>(const Packet& o) const { return at != o.at ? at > o.at : order > o.order; }
  };

  void route(size_t from, const base::Endpoint& to, base::Bytes datagram);
  void refresh(size_t i);
  std::unique_ptr<Membership> make_node(size_t i);

  SimOptions options_;
  std::mt19937_64 rng_;
  base::Instant origin_;
  base::Instant now_;
  double loss_;
  std::vector<trust::Identity> identities_;
  std::vector<std::unique_ptr<Membership>> nodes_;
  std::vector<std::unique_ptr<NodeTransport>> transports_;
  std::vector<std::unique_ptr<std::mt19937_64>> node_rngs_;
  std::vector<bool> up_;
  std::vector<int> restarts_;
  std::vector<base::Instant> deadlines_;
  // (deadline, node), earliest first; entries that no longer match deadlines_ are skipped.
  std::priority_queue<std::pair<base::Instant, size_t>,
                      std::vector<std::pair<base::Instant, size_t>>, std::greater<>>
      deadline_heap_;
  std::map<base::Endpoint, size_t> by_endpoint_;
  std::function<bool(size_t, size_t)> blocked_;
  std::priority_queue<Packet, std::vector<Packet>, std::greater<Packet>> packets_;
  uint64_t order_ = 0;
  uint64_t stuck_ticks_ = 0;
  uint64_t delivered_ = 0;
  uint64_t bytes_sent_ = 0;
};

}  // namespace mw::swim::testing
