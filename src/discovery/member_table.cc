// SPDX-License-Identifier: Apache-2.0
// The member table and its tombstones.
#include "discovery/member_table.h"

#include <algorithm>

namespace mw::swim {

namespace {
constexpr size_t kMaxDestinations = 5;
}

std::vector<base::Endpoint> Member::destinations() const {
  if (authenticated) return {*authenticated};
  std::vector<base::Endpoint> out;
  auto add = [&](const base::Endpoint& e) {
    if (out.size() < kMaxDestinations && std::find(out.begin(), out.end(), e) == out.end()) {
      out.push_back(e);
    }
  };
  if (hint) add(*hint);
  for (const base::Endpoint& e : view.announced) add(e);
  return out;
}

void Member::refresh_endpoint() {
  if (authenticated) {
    view.endpoint = authenticated;
  } else if (hint) {
    view.endpoint = hint;
  } else if (!view.announced.empty()) {
    view.endpoint = view.announced.front();
  } else {
    view.endpoint.reset();
  }
}

Member* MemberTable::find(const PublicKey& id) {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

const Member* MemberTable::find(const PublicKey& id) const {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

Member& MemberTable::insert(const PublicKey& id) {
  Member& m = members_[id];
  m.view.id = id;
  m.slot = slots_.size();
  slots_.push_back(&m);
  if (uint64_t floor = tombstone(id)) m.replay = ReplayWindow(floor);
  return m;
}

void MemberTable::erase(const PublicKey& id) {
  auto it = members_.find(id);
  if (it == members_.end()) return;
  uint64_t highest = it->second.replay.highest();
  Member* last = slots_.back();
  slots_[it->second.slot] = last;
  last->slot = it->second.slot;
  slots_.pop_back();
  members_.erase(it);
  if (max_tombstones_ == 0) return;
  auto [t, fresh] = tombstones_.insert_or_assign(id, highest);
  (void)t;
  if (fresh) tombstone_order_.push_back(id);
  while (tombstone_order_.size() > max_tombstones_) {
    tombstones_.erase(tombstone_order_.front());
    tombstone_order_.pop_front();
  }
}

uint64_t MemberTable::tombstone(const PublicKey& id) const {
  auto t = tombstones_.find(id);
  return t == tombstones_.end() ? 0 : t->second;
}

std::optional<PublicKey> MemberTable::eviction_candidate() const {
  const Member* best = nullptr;
  for (const auto& [id, m] : members_) {
    if (m.live()) continue;
    if (!best || m.view.state_since < best->view.state_since) best = &m;
  }
  if (!best) return std::nullopt;
  return best->view.id;
}

}  // namespace mw::swim
