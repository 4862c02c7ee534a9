// SPDX-License-Identifier: Apache-2.0
// MemberTable: what this node knows about every other member (claims, state, keys, replay
// windows), in a deterministic order, plus tombstones of forgotten members.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "discovery/pair_key.h"
#include "discovery/replay_window.h"
#include "discovery/statement.h"
#include "discovery/suspicion.h"
#include "discovery/types.h"

namespace mw::swim {

struct Member {
  MemberView view;
  Statement alive;                              // its newest signed alive claim
  std::optional<Statement> accusation;          // the statement behind suspect, dead or left
  std::optional<base::Endpoint> authenticated;  // source of its newest authenticated datagram
  std::optional<base::Endpoint> hint;           // unsigned relay hint from gossip
  std::optional<PairKey> pair_key;              // derived lazily, then cached
  ReplayWindow replay;
  std::optional<Suspicion> suspicion;
  bool confirmed = false;   // an authenticated datagram arrived since it (re)became alive
  bool joined = false;      // kJoined was emitted for it
  base::Instant told_dead;  // when we last told it (while dead) about its death
  // A join answer in progress: further chunks go only in answer to its authenticated syncs.
  int join_chunks_left = 0;
  std::optional<PublicKey> join_cursor;
  size_t slot = 0;  // its index in MemberTable::at_slot (kept by the table)
  // Direct paths (docs/nat.md): when we last heard from it directly (every authenticated
  // datagram is direct), whether our last probe of it got through only indirectly, and when to
  // ask for an introduction next.
  std::optional<base::Instant> heard_at;
  bool direct_failed = false;
  base::Instant next_intro;
  base::Duration intro_backoff;
  // Whether we reach it directly: heard from since it became alive, and our last probe of it
  // was answered directly.
  bool direct() const { return confirmed && !direct_failed; }

  bool live() const {
    return view.state == MemberState::kAlive || view.state == MemberState::kSuspect;
  }
  // Where to send to it: the authenticated source, else its hint and announced endpoints.
  std::vector<base::Endpoint> destinations() const;
  bool has_destination() const { return authenticated || hint || !view.announced.empty(); }
  // Recomputes view.endpoint from the authenticated source, hint and announced endpoints.
  void refresh_endpoint();
};

class MemberTable {
 public:
  explicit MemberTable(size_t max_tombstones) : max_tombstones_(max_tombstones) {}
  // slots_ points into members_: a copy would point into the original (a move keeps the nodes).
  MemberTable(const MemberTable&) = delete;
  MemberTable& operator=(const MemberTable&) = delete;
  MemberTable(MemberTable&&) = default;
  MemberTable& operator=(MemberTable&&) = default;

  Member* find(const PublicKey& id);
  const Member* find(const PublicKey& id) const;
  // Inserts a new member (id must be absent) with a replay window above any tombstone.
  Member& insert(const PublicKey& id);
  // Forgets a member, remembering its highest counter so that its old datagrams stay replays.
  void erase(const PublicKey& id);
  size_t size() const { return members_.size(); }
  // The highest counter of a forgotten member (0 if none): its datagrams at or below are replays.
  uint64_t tombstone(const PublicKey& id) const;
  // A dead or left member to evict when the table is full (the longest dead), if any.
  std::optional<PublicKey> eviction_candidate() const;

  std::map<PublicKey, Member>& all() { return members_; }
  const std::map<PublicKey, Member>& all() const { return members_; }
  // Every member by a dense index 0..size()-1 (in no particular order; an erase moves the last
  // one into the hole), so that a random member costs O(1) rather than a walk of the table.
  Member& at_slot(size_t i) { return *slots_[i]; }

 private:
  size_t max_tombstones_;
  std::map<PublicKey, Member> members_;
  std::vector<Member*> slots_;  // into members_ (map nodes do not move)
  std::map<PublicKey, uint64_t> tombstones_;
  std::deque<PublicKey> tombstone_order_;
};

}  // namespace mw::swim
