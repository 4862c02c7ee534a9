// SPDX-License-Identifier: Apache-2.0
// The deterministic SWIM mesh simulator: an event loop over datagram deliveries and node
// deadlines on a virtual clock.
#include "discovery/testing/swim_sim.h"

#include "discovery/testing/test_peer.h"
#include "trust/authorize.h"
#include "trust/testing/identities.h"

namespace mw::swim::testing {

namespace {

// Nodes 0..254 are trust::testing::identity_from_byte(i + 1), as everywhere in the tests; larger
// meshes take seeds made from the index.
trust::Identity node_identity(size_t i) {
  if (i < 255) return trust::testing::identity_from_byte(static_cast<uint8_t>(i + 1));
  crypto::Ed25519Seed seed;
  for (size_t b = 0; b < seed.size(); ++b) {
    seed[b] = b < 8 ? static_cast<uint8_t>((i + 1) >> (8 * b)) : uint8_t{0xA5};
  }
  crypto::Ed25519Keypair kp = crypto::ed25519_from_seed(seed);
  return trust::Identity{kp.secret, kp.public_key};
}

}  // namespace

class SwimSim::NodeTransport final : public Transport {
 public:
  NodeTransport(SwimSim* sim, size_t from) : sim_(sim), from_(from) {}
  void send(const base::Endpoint& to, base::Bytes datagram) override {
    sim_->route(from_, to, datagram);
  }

 private:
  SwimSim* sim_;
  size_t from_;
};

SwimSim::SwimSim(SimOptions options)
    : options_(options),
      rng_(options.seed),
      origin_(base::Instant::from_nanos(1'000'000'000'000)),
      now_(origin_),
      loss_(options.loss) {
  for (size_t i = 0; i < options_.nodes; ++i) {
    identities_.push_back(node_identity(i));
    by_endpoint_[endpoint(i)] = i;
    transports_.push_back(std::make_unique<NodeTransport>(this, i));
    node_rngs_.push_back(nullptr);
    nodes_.push_back(nullptr);
    up_.push_back(false);
    restarts_.push_back(0);
    deadlines_.push_back(base::Instant::max());
  }
  for (size_t i = 0; i < options_.nodes; ++i) nodes_[i] = make_node(i);
}

SwimSim::~SwimSim() = default;

// Node i is at 10.<(i+1) / 256>.<(i+1) % 256>.1:51820 (test_endpoint(i + 1) for the first 255).
base::Endpoint SwimSim::endpoint(size_t i) const {
  size_t k = i + 1;
  return base::Endpoint{
      base::IpAddress::v4({10, static_cast<uint8_t>(k >> 8), static_cast<uint8_t>(k), 1}), 51820};
}

base::WallTime SwimSim::wall() const {
  return base::WallTime{1'700'000'000'000'000'000 + (now_ - origin_).to_nanos()};
}

std::unique_ptr<Membership> SwimSim::make_node(size_t i) {
  trust::TrustStore store(identities_[i].public_key);
  if (options_.open_trust) {
    store.set_open(true);
  } else {
    for (const trust::Identity& id : identities_) store.add_authorized_key(id.public_key);
  }
  node_rngs_[i] = std::make_unique<std::mt19937_64>(options_.seed * 7919 + i * 104729 +
                                                    static_cast<uint64_t>(restarts_[i]));
  std::mt19937_64* rng = node_rngs_[i].get();
  return std::make_unique<Membership>(identities_[i], std::move(store), options_.config,
                                      [rng] { return (*rng)(); });
}

void SwimSim::start(size_t i, std::optional<size_t> seed) {
  base::WallTime w = wall();
  uint64_t incarnation =
      static_cast<uint64_t>(w.unix_nanos / 1'000'000'000) + static_cast<uint64_t>(restarts_[i]);
  nodes_[i]->start(now_, w, incarnation, {endpoint(i)}, std::nullopt,
                   static_cast<uint64_t>(w.unix_nanos));
  if (seed && *seed != i) nodes_[i]->add_seed(endpoint(*seed), now_);
  up_[i] = true;
  refresh(i);
}

void SwimSim::crash(size_t i) {
  up_[i] = false;
  deadlines_[i] = base::Instant::max();
}

void SwimSim::leave(size_t i) {
  if (!up_[i]) return;
  nodes_[i]->leave(now_, *transports_[i]);
  crash(i);
}

void SwimSim::restart(size_t i, std::optional<size_t> seed) {
  ++restarts_[i];
  nodes_[i] = make_node(i);
  start(i, seed);
}

void SwimSim::route(size_t from, const base::Endpoint& to, base::Bytes datagram) {
  bytes_sent_ += datagram.size();
  auto it = by_endpoint_.find(to);
  if (it == by_endpoint_.end()) return;
  size_t dst = it->second;
  if (blocked_ && blocked_(from, dst)) return;
  std::uniform_real_distribution<double> unit(0, 1);
  if (loss_ > 0 && unit(rng_) < loss_) return;
  int64_t jitter = options_.jitter.to_nanos();
  base::Duration delay =
      options_.delay +
      base::Duration::nanos(
          jitter > 0 ? static_cast<int64_t>(rng_() % static_cast<uint64_t>(jitter)) : 0);
  packets_.push(Packet{now_ + delay, order_++, dst, endpoint(from),
                       std::vector<uint8_t>(datagram.begin(), datagram.end())});
}

void SwimSim::refresh(size_t i) {
  deadlines_[i] = up_[i] ? nodes_[i]->next_deadline() : base::Instant::max();
  // The heap keeps stale entries; the loop skips those that no longer match deadlines_.
  if (deadlines_[i] != base::Instant::max()) deadline_heap_.push({deadlines_[i], i});
}

void SwimSim::run_until(base::Instant t) {
  for (;;) {
    while (!deadline_heap_.empty() &&
           deadline_heap_.top().first != deadlines_[deadline_heap_.top().second]) {
      deadline_heap_.pop();
    }
    base::Instant next_tick =
        deadline_heap_.empty() ? base::Instant::max() : deadline_heap_.top().first;
    size_t who = deadline_heap_.empty() ? 0 : deadline_heap_.top().second;
    base::Instant next_packet = packets_.empty() ? base::Instant::max() : packets_.top().at;
    base::Instant next = std::min(next_tick, next_packet);
    if (next > t) break;
    if (next > now_) now_ = next;
    if (next_packet <= next_tick) {
      Packet p = packets_.top();
      packets_.pop();
      if (!up_[p.to]) continue;
      ++delivered_;
      nodes_[p.to]->receive(p.bytes, p.from, now_, wall(), *transports_[p.to]);
      refresh(p.to);
    } else {
      nodes_[who]->tick(now_, wall(), *transports_[who]);
      refresh(who);
      if (deadlines_[who] <= now_) {
        ++stuck_ticks_;
        deadlines_[who] = now_ + base::Duration::millis(1);
        deadline_heap_.push({deadlines_[who], who});
      }
    }
  }
  now_ = t;
}

std::optional<base::Duration> SwimSim::run_until(const std::function<bool()>& pred,
                                                 base::Duration limit, base::Duration step) {
  base::Instant start = now_;
  while (now_ - start < limit) {
    if (pred()) return now_ - start;
    run_for(step);
  }
  if (pred()) return now_ - start;
  return std::nullopt;
}

std::optional<MemberState> SwimSim::state_of(size_t observer, size_t subject) const {
  const MemberView* v = nodes_[observer]->find(identities_[subject].public_key);
  if (!v) return std::nullopt;
  return v->state;
}

bool SwimSim::converged() const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (!up_[i]) continue;
    for (size_t j = 0; j < nodes_.size(); ++j) {
      if (i == j || !up_[j]) continue;
      if (state_of(i, j) != MemberState::kAlive) return false;
    }
  }
  return true;
}

bool SwimSim::all_see_down(size_t subject) const {
  for (size_t i = 0; i < nodes_.size(); ++i) {
    if (i == subject || !up_[i]) continue;
    auto s = state_of(i, subject);
    if (s != MemberState::kDead && s != MemberState::kLeft) return false;
  }
  return true;
}

}  // namespace mw::swim::testing
