// SPDX-License-Identifier: Apache-2.0
// Membership: SWIM with the Lifeguard extensions over signed statements and pair-key
// authenticated datagrams (meshward mesh protocol v1, docs/mesh.md). Pure: the node hands it
// datagrams, `now` and wall time; it answers through a Transport and queues events.
//
// Not thread-safe: one owner (the node's event loop) calls every method.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/time.h"
#include "discovery/awareness.h"
#include "discovery/broadcast_queue.h"
#include "discovery/member_table.h"
#include "discovery/messages.h"
#include "discovery/pair_key_cache.h"
#include "discovery/probe_schedule.h"
#include "discovery/source_limiter.h"
#include "discovery/types.h"
#include "trust/authorize.h"
#include "trust/identity.h"

namespace mw::swim {

class Membership {
 public:
  Membership(const trust::Identity& self, trust::TrustStore trust, Config config,
             std::function<uint64_t()> rng);

  // Our own alive claim: incarnation (callers pass wall-clock seconds at start so a restart
  // always supersedes old claims), announced endpoints (at most 4 kept) and certificate;
  // `counter_seed` seeds the datagram counter (e.g. wall-clock nanoseconds); `kinds` says what
  // each announced endpoint is (missing ones kUnknown).
  void start(base::Instant now, base::WallTime wall, uint64_t incarnation,
             std::vector<base::Endpoint> announced, std::optional<trust::Certificate> certificate,
             uint64_t counter_seed, std::vector<CandidateKind> kinds = {});
  // New endpoints for our signed alive claim (the node's candidates changed: a reflexive or a
  // local address came or went): a new incarnation, gossiped like a refutation. At most 4 kept;
  // false (and nothing sent) when they are what the claim says already.
  bool set_announced(std::vector<base::Endpoint> announced, std::vector<CandidateKind> kinds = {});
  const std::vector<base::Endpoint>& announced() const { return announced_; }
  const std::vector<CandidateKind>& announced_kinds() const { return announced_kinds_; }
  // Sends a join to a seed address (we do not know who is there); tick() retries it with
  // backoff (join_retry_min doubling to join_retry_max) while no member is alive.
  void add_seed(const base::Endpoint& seed, base::Instant now);
  static bool is_mesh_datagram(base::Bytes d);  // first byte 0xED
  void receive(base::Bytes datagram, const base::Endpoint& from, base::Instant now,
               base::WallTime wall, Transport& out);
  void tick(base::Instant now, base::WallTime wall, Transport& out);
  // When tick() next has work; Instant::max() before start() and after leave().
  base::Instant next_deadline() const;
  // Graceful leave: a signed leave statement is sent to every live member; the membership then
  // goes quiet (receive and tick do nothing).
  void leave(base::Instant now, Transport& out);
  // SIGHUP: new trust; members no longer admitted are removed (Event kRemoved), others stay
  // untouched.
  void set_trust(trust::TrustStore trust, base::WallTime wall);
  std::vector<Event> take_events();  // events since the last call, in order
  size_t punches_active() const { return punches_.size(); }
  // What members saw of our address since the last call (from their acks), oldest first; at
  // most kMaxObservations are kept between calls.
  std::vector<Observed> take_observed();
  // Joins refused since the last call (RefusedJoin), in order.
  std::vector<RefusedJoin> take_refused_joins();
  static constexpr size_t kMaxObservations = 256;
  std::vector<MemberView> members() const;  // excludes self
  const MemberView* find(const crypto::PublicKey& id) const;
  const Stats& stats() const { return stats_; }
  size_t alive_count() const;
  base::Duration probe_interval_now() const;  // with Lifeguard awareness applied

  // Introspection for tests and status.
  uint64_t incarnation() const { return incarnation_; }
  int awareness_score() const { return awareness_.score(); }
  size_t queued_broadcasts() const { return queue_.size(); }
  // Confirmations counted so far on the suspicion of `id`, or -1 if it is not suspect.
  int suspicion_confirmations(const crypto::PublicKey& id) const;
  std::optional<base::Instant> suspicion_deadline(const crypto::PublicKey& id) const;

 private:
  // A probe this node runs (SWIM §4: ping, then ping_req through helpers).
  struct Probe {
    bool active = false;
    PublicKey target{};
    uint32_t seq = 0;
    base::Instant sent, direct_deadline, end;
    bool indirect_sent = false;
    int expected_nacks = 0;
    int nacks = 0;
    std::vector<PublicKey> helpers;
  };
  // A ping this node sends on behalf of a ping_req requester.
  struct Relay {
    uint32_t seq;  // our ping's seq
    PublicKey target;
    PublicKey requester;
    uint32_t requester_seq;
    base::Endpoint reply_to;
    base::Instant nack_at;
  };
  struct Seed {
    base::Endpoint endpoint;
    base::Instant next;
    base::Duration backoff;
  };
  // The result of authenticating a datagram's sender.
  struct Sender {
    Member* member = nullptr;
    size_t skip_items = 0;  // leading gossip items already applied (the sender's claim)
    bool newest = false;    // the counter is above every earlier one (may update the endpoint)
  };

  // membership_admit.cc: who sent it, and may we listen.
  Sender authenticate(const Message& msg, base::Bytes datagram, const base::Endpoint& from,
                      base::Instant now, base::WallTime wall, Transport& out);
  // A join refused as not trusted: reported once its signature verifies (within the rate).
  void note_refused_join(const Message& msg, base::Bytes datagram, const base::Endpoint& from,
                         base::Instant now, const std::string& why);
  Member* admit_unknown(const Message& msg, base::Bytes datagram, const base::Endpoint& from,
                        base::Instant now, base::WallTime wall, Transport& out);
  void note_contact(Member& m, const base::Endpoint& from, bool newest, base::Instant now,
                    Transport& out);
  bool ensure_pair_key(Member& m);
  // A statement we hold already (anti-entropy syncs and gossip retransmissions repeat every
  // claim by design): counted apart from the drops, since nothing is wrong with it.
  void already_known() { ++stats_.statements_known; }
  // One expensive check (X25519, Ed25519) of a non-member from the global budget; false (and
  // counted) when it is spent.
  bool spend_budget(base::Instant now);
  // The pair key of every authorized key into the cache (at construction and trust reload):
  // one X25519 each, once, so datagrams claiming them never cost one.
  void warm_pair_keys();
  bool has_room();

  // membership_state.cc: statements and the precedence rules.
  void apply_gossip(const Message& msg, size_t skip, base::Instant now, base::WallTime wall,
                    Transport& out);
  void apply_statement(const GossipItem& item, base::Instant now, base::WallTime wall,
                       std::vector<PublicKey>* created);
  void apply_alive(const GossipItem& item, base::Instant now, base::WallTime wall,
                   std::vector<PublicKey>* created);
  void apply_suspect(const Statement& s, base::Instant now, base::WallTime wall);
  void apply_dead(const Statement& s, base::Instant now, base::WallTime wall);
  void about_self(const Statement& s, base::WallTime wall);
  void mark_down(Member& m, const Statement& s, base::Instant now);
  void tick_suspicions(base::Instant now);
  bool author_admitted(const PublicKey& author, base::WallTime wall) const;
  // A new member from its claim; `hint` (where a gossiper reaches it) is set before the claim
  // is queued for gossip, so the claim travels on with a place to ping.
  Member* create_member(const Statement& claim, const trust::Decision& decision,
                        std::optional<trust::Certificate> cert, base::Instant now,
                        std::optional<base::Endpoint> hint = std::nullopt);
  void update_claim(Member& m, const Statement& claim, base::Instant now);
  void set_state(Member& m, MemberState state, const std::optional<Statement>& accusation,
                 base::Instant now);
  void suspect_member(Member& m, const Statement& s, base::Instant now);
  void refute(uint64_t accused_incarnation);
  void forget(const PublicKey& id, bool emit);
  void broadcast(const Statement& s);
  void emit(EventKind kind, const PublicKey& id);
  void drop(DropReason r) { ++stats_.drops[static_cast<size_t>(r)]; }

  // membership_probe.cc: SWIM failure detection.
  void tick_probe(base::Instant now, Transport& out);
  void start_probe(base::Instant now, Transport& out);
  void send_ping_reqs(base::Instant now, Transport& out);
  void finish_probe(base::Instant now);
  void handle_ping(const Message& msg, Member& sender, const base::Endpoint& from, Transport& out);
  void handle_ack(const Message& msg, const Member& sender, const base::Endpoint& from,
                  base::Instant now, Transport& out);
  void handle_nack(const Message& msg, const Member& sender);
  void handle_ping_req(const Message& msg, Member& sender, const base::Endpoint& from,
                       base::Instant now, Transport& out);
  void tick_relays(base::Instant now, Transport& out);
  void send_ping(Member& m, uint32_t seq, Transport& out);
  std::vector<PublicKey> random_members(size_t k, const std::function<bool(const Member&)>& ok);

  // membership_punch.cc: introductions and coordinated hole punching (docs/nat.md).
  struct Punch {
    PublicKey peer;
    int rounds_left;
    base::Instant started, next;
  };
  void tick_punch(base::Instant now, Transport& out);
  void request_intros(base::Instant now, Transport& out);
  void handle_intro_req(const Message& msg, Member& sender, const base::Endpoint& from,
                        base::Instant now, Transport& out);
  void handle_intro(const Message& msg, base::Instant now, Transport& out);
  void start_punch(Member& peer, base::Instant now, Transport& out);
  void punch_round(Member& peer, Transport& out);
  void set_direct_failed(Member& m, bool failed);

  // membership_sync.cc: dissemination, anti-entropy and joining.
  void tick_gossip(base::Instant now, Transport& out);
  void tick_sync(base::Instant now, Transport& out);
  void tick_seeds(base::Instant now, Transport& out);
  void tick_retention(base::Instant now);
  void send_join(const base::Endpoint& to, Transport& out);
  // Whether a sync asks for a reply: never, always, or unless it completes the table (the
  // later chunks of a join answer, clocked by the joiner's replies).
  enum class SyncReply { kNone, kWanted, kUntilDone };
  // Returns true when the chunk reached the end of the table.
  bool send_sync(Member& m, const base::Endpoint& to, SyncReply reply,
                 std::optional<PublicKey>* cursor, const Statement* first, Transport& out);
  void answer_join(Member& m, const base::Endpoint& to, Transport& out);
  // The next chunk of a join answer, in answer to an authenticated sync from the joiner.
  void continue_join(Member& m, const base::Endpoint& to, Transport& out);
  std::vector<GossipItem> sync_items(size_t budget, size_t max_count,
                                     std::optional<PublicKey>* cursor, bool* wrapped) const;
  void tell_dead(Member& m, const base::Endpoint& to, base::Instant now, Transport& out);

  // membership.cc: sending.
  // Sends `msg` to `m` at `to`: fills sender and counter, puts `prefix` items first, fills the
  // remaining room from the broadcast queue when `piggyback`, macs with the pair key.
  void send_to(Member& m, const base::Endpoint& to, Message msg, std::vector<GossipItem> prefix,
               bool piggyback, Transport& out);
  void send_sealed(const base::Endpoint& to, Message& msg, const PairKey& key, Transport& out);
  uint64_t next_counter() { return counter_ = counter_ + 1; }
  GossipItem self_item() const { return GossipItem{self_alive_, std::nullopt}; }
  size_t live_count() const;  // alive or suspect, self excluded

  trust::Identity self_;
  crypto::PrivateKey wg_private_;
  trust::TrustStore trust_;
  Config config_;
  std::function<uint64_t()> rng_;

  bool started_ = false;
  bool left_ = false;
  uint64_t incarnation_ = 0;
  std::vector<base::Endpoint> announced_;
  std::vector<CandidateKind> announced_kinds_;  // as many as announced_
  std::vector<uint8_t> certificate_;
  Statement self_alive_;
  uint64_t counter_ = 0;
  uint32_t next_seq_ = 1;

  MemberTable table_;
  ProbeSchedule schedule_;
  Awareness awareness_;
  BroadcastQueue queue_;
  SourceLimiter limiter_;
  TokenBucket budget_;      // expensive checks of non-members, all sources together
  PairKeyCache pair_keys_;  // every authorized key's (warmed), and recent non-members'
  Probe probe_;
  std::vector<Relay> relays_;
  std::vector<Punch> punches_;
  base::Instant next_intro_scan_;
  size_t indirect_ = 0;       // live members we do not reach directly (as of the last intro scan)
  TokenBucket intro_budget_;  // introductions we make for others
  std::vector<Seed> seeds_;
  base::Instant next_probe_, next_gossip_, next_sync_, next_reconnect_, last_sync_;
  std::optional<PublicKey> sync_cursor_;
  std::vector<Event> events_;
  std::vector<Observed> observed_;
  // Refused joins to report, and when each sender was last reported (bounded, oldest out).
  std::vector<RefusedJoin> refused_;
  std::map<PublicKey, base::Instant> refused_noted_;
  TokenBucket refused_budget_;
  Stats stats_;
  // Derived from the member table, recomputed after any state change (next_deadline() is
  // called after every datagram, so it must not walk the table each time).
  struct TableSummary {
    bool dirty = true;
    size_t alive = 0;
    size_t live = 0;                                // alive or suspect
    base::Instant earliest = base::Instant::max();  // suspicion expiry or retention end
  };
  mutable TableSummary summary_;
  const TableSummary& summary() const;
  void table_changed() { summary_.dirty = true; }
};

}  // namespace mw::swim
