// SPDX-License-Identifier: Apache-2.0
// The public vocabulary of the membership protocol: configuration, member states and views,
// events, drop reasons, statistics and the transport seam the node implements.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/time.h"
#include "crypto/keys.h"
#include "discovery/codec.h"
#include "trust/certificate.h"

namespace mw::swim {

struct Config {
  base::Duration probe_interval = base::Duration::seconds(1);
  base::Duration probe_timeout = base::Duration::millis(500);
  int indirect_checks = 3;
  int suspicion_mult = 3;  // memberlist LAN: 4; 3 keeps detection p99 <= 15 s at 1,000 nodes
  int suspicion_max_timeout_mult = 6;
  int retransmit_mult = 4;
  int awareness_max_multiplier = 8;
  base::Duration gossip_interval = base::Duration::millis(200);
  int gossip_nodes = 3;
  base::Duration sync_interval = base::Duration::seconds(30);
  // ... while some live member is reachable only through others (behind a NAT no punch got
  // through): rumours then miss nodes more often (fewer members can carry them to each), and
  // this bounds how long one stays unheard of.
  base::Duration sync_interval_partial = base::Duration::seconds(5);
  // A sync to one random dead member, so that the two sides of a healed partition find each
  // other (memberlist leaves this to serf's 30 s reconnect; one datagram per interval here).
  base::Duration reconnect_interval = base::Duration::seconds(5);  // anti-entropy
  base::Duration dead_retention = base::Duration::seconds(600);    // then forgotten
  size_t max_members = 4096;
  // Dead members still receive gossip this long after they failed, so they can refute.
  base::Duration gossip_to_dead = base::Duration::seconds(30);
  // Seed joins are retried from this interval, doubling up to join_retry_max.
  base::Duration join_retry_min = base::Duration::seconds(2);
  base::Duration join_retry_max = base::Duration::seconds(30);
  // A join is answered with at most this many sync datagrams, each one sent only in answer to an
  // authenticated sync from the joiner (so they never amplify): enough for the whole table of
  // max_members, so that a node joining a large mesh (or many joining at once, where gossip
  // alone left pairs that never met for minutes in the simulator) learns every member at once.
  int join_sync_chunks = 512;
  // Expensive checks for senders that are not members yet, per source /24 or /64.
  int unknown_sender_rate = 5;  // per second
  int unknown_sender_burst = 10;
  size_t max_sources = 4096;
  // ... and for all of them together (rotating sources cannot multiply it): X25519 of a pair
  // key not cached, Ed25519 of a join, a claim or a certificate. About 2 % of a core.
  int expensive_checks_rate = 400;  // per second
  int expensive_checks_burst = 400;
  // Pair keys of non-members kept (the trusted identities a node may hear from first).
  size_t pair_key_cache = 16384;
  // ping_req relays this node runs for others at once.
  size_t max_relays = 256;
  // Coordinated hole punching (docs/nat.md): a live member we have not heard from directly (or
  // whose direct path failed) is introduced through a member both reach; then both ping each
  // other's signed candidates punch_rounds times, punch_interval apart.
  base::Duration punch_interval = base::Duration::millis(200);
  int punch_rounds = 10;
  size_t max_punches = 32;  // sessions at once
  // Refused joins reported (take_refused_joins): at most once per sender per interval, and at
  // most refused_join_rate signature checks per second for them, all senders together.
  base::Duration refused_join_interval = base::Duration::seconds(60);
  int refused_join_rate = 1;
  int refused_join_burst = 4;
  // A member is asked again after intro_retry_min, doubling to intro_retry_max, while no direct
  // path comes of it (a pair of endpoint-dependent NATs never gets one).
  base::Duration intro_retry_min = base::Duration::seconds(3);
  base::Duration intro_retry_max = base::Duration::seconds(300);
  // Introductions this node makes for others, per second (each is two datagrams).
  int intro_rate = 20;
  int intro_burst = 40;
};

enum class MemberState : uint8_t { kAlive, kSuspect, kDead, kLeft };
const char* member_state_name(MemberState s);  // "alive" "suspect" "dead" "left"

struct MemberView {
  crypto::PublicKey id{};  // Ed25519 identity
  MemberState state = MemberState::kAlive;
  uint64_t incarnation = 0;
  // Address of the last authenticated datagram from it, else the best hint.
  std::optional<base::Endpoint> endpoint;
  std::vector<base::Endpoint> announced;       // endpoints in its signed alive claim
  std::vector<CandidateKind> announced_kinds;  // what each of them is (as many)
  // The address a punch session first heard it from (docs/nat.md), unset before one succeeded.
  std::optional<base::Endpoint> punched;
  std::optional<trust::Certificate> certificate;
  std::string admitted_by;            // trust::Decision::detail
  std::optional<base::Duration> rtt;  // last measured ping->ack round trip
  // We reach it directly (heard from it, and our last probe was answered directly); false while
  // only other members reach it for us (docs/nat.md: a pair no punch got through).
  bool direct = false;
  base::Instant state_since;
};

// kJoined: first authenticated contact with an alive member. kUpdated: its authenticated
// endpoint changed, it came back (new incarnation) after failing or leaving, or its signed
// claim changed. kFailed: declared dead. kLeft: left gracefully. kRemoved: forgotten (after
// dead_retention) or no longer admitted by the trust store. kFailed, kLeft and kRemoved only
// follow a kJoined.
enum class EventKind : uint8_t { kJoined, kUpdated, kFailed, kLeft, kRemoved };
const char* event_kind_name(EventKind k);
struct Event {
  EventKind kind;
  crypto::PublicKey id;
  bool operator==(const Event&) const = default;
};

// A member's report of our address: the source of the ping its authenticated ack answers.
struct Observed {
  crypto::PublicKey observer{};
  base::Endpoint observer_endpoint;  // where its ack came from
  base::Endpoint mapped;             // what it saw of us
  base::Instant at;
};

// A join this node refused because it does not admit the sender, whose signature proves the
// sender holds the key (docs/mesh.md §9): for a log line that says how to admit it. At most one
// per sender per refused_join_interval.
struct RefusedJoin {
  crypto::PublicKey sender{};
  base::Endpoint from;
  std::string why;  // trust::Decision::detail
};

// The node's UDP socket. send() must not call back into the Membership.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void send(const base::Endpoint& to, base::Bytes datagram) = 0;
};

// Why a datagram or a gossip statement was dropped.
enum class DropReason : uint8_t {
  kMalformed,       // the decoder rejected it
  kBadVersion,      // a version we do not speak
  kUnknownSender,   // not a member and no alive claim to learn it from (or ourselves)
  kNotTrusted,      // the trust store does not admit the sender, author or subject
  kBadMac,          // pair-key mac (or join mac) mismatch
  kReplayed,        // counter already seen or too old
  kBadSignature,    // a statement's or join's Ed25519 signature does not verify
  kRateLimited,     // too many expensive checks from this source prefix
  kWrongTarget,     // a ping for someone else
  kTableFull,       // max_members reached
  kStale,           // a statement older than our view, or one it must not change
  kUnknownSubject,  // an accusation about a member we do not know
  kOverBudget,      // the node's budget for expensive checks of non-members is spent
  kCount,
};
const char* drop_reason_name(DropReason r);

struct Stats {
  uint64_t probes_sent = 0;
  uint64_t acks_received = 0;
  uint64_t indirect_probes_sent = 0;
  uint64_t suspicions = 0;
  uint64_t refutations = 0;
  uint64_t members_failed = 0;
  uint64_t gossip_bytes_sent = 0;
  uint64_t gossip_bytes_received = 0;
  // Statements that repeat what we hold (every sync and retransmission brings some): not drops.
  uint64_t statements_known = 0;
  uint64_t intro_requests_sent = 0;  // asked a member to introduce us
  uint64_t introductions_made = 0;   // introduced two members to each other
  uint64_t punches_started = 0;      // punch sessions
  uint64_t punches_succeeded = 0;    // ... that ended with direct contact
  base::Duration punch_time_total;   // sum of their times to direct contact
  uint64_t datagrams_sent = 0;
  uint64_t datagrams_received = 0;
  std::array<uint64_t, static_cast<size_t>(DropReason::kCount)> drops{};
  uint64_t drop_count(DropReason r) const { return drops[static_cast<size_t>(r)]; }
};

}  // namespace mw::swim
