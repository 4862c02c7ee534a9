// SPDX-License-Identifier: Apache-2.0
// Reflexive addresses and the mapping behaviour they show.
#include "nat/reflexive.h"

#include <algorithm>
#include <map>
#include <set>

namespace mw::nat {

const char* mapping_name(Mapping m) {
  switch (m) {
    case Mapping::kUnknown: return "unknown";
    case Mapping::kNone: return "none";
    case Mapping::kEndpointIndependent: return "endpoint-independent";
    case Mapping::kEndpointDependent: return "endpoint-dependent";
  }
  return "unknown";
}

ReflexiveAddresses::ReflexiveAddresses(base::Duration max_age, size_t max_observations)
    : max_age_(max_age), max_(max_observations) {}

bool ReflexiveAddresses::is_local(const base::Endpoint& e) const {
  return std::find(local_.begin(), local_.end(), e) != local_.end();
}

bool ReflexiveAddresses::observe(Observation o) {
  auto before_v4 = addresses(base::IpAddress::Family::kV4);
  auto before_v6 = addresses(base::IpAddress::Family::kV6);
  auto same = std::find_if(observations_.begin(), observations_.end(), [&](const Observation& x) {
    return x.source == o.source && x.observer == o.observer;
  });
  if (same != observations_.end()) {
    *same = std::move(o);
  } else {
    if (observations_.size() >= max_) {
      // Room for the newest: the oldest goes.
      auto oldest =
          std::min_element(observations_.begin(), observations_.end(),
                           [](const Observation& a, const Observation& b) { return a.at < b.at; });
      observations_.erase(oldest);
    }
    observations_.push_back(std::move(o));
  }
  return before_v4 != addresses(base::IpAddress::Family::kV4) ||
         before_v6 != addresses(base::IpAddress::Family::kV6);
}

bool ReflexiveAddresses::expire(base::Instant now) {
  size_t before = observations_.size();
  auto v4 = addresses(base::IpAddress::Family::kV4);
  auto v6 = addresses(base::IpAddress::Family::kV6);
  std::erase_if(observations_, [&](const Observation& o) { return now - o.at > max_age_; });
  if (observations_.size() == before) return false;
  return v4 != addresses(base::IpAddress::Family::kV4) ||
         v6 != addresses(base::IpAddress::Family::kV6);
}

std::vector<base::Endpoint> ReflexiveAddresses::addresses(base::IpAddress::Family family) const {
  std::map<base::Endpoint, size_t> count;
  for (const Observation& o : observations_)
    if (o.mapped.address.family() == family && !is_local(o.mapped)) ++count[o.mapped];
  std::vector<std::pair<size_t, base::Endpoint>> ranked;
  for (const auto& [e, n] : count) ranked.emplace_back(n, e);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<base::Endpoint> out;
  for (const auto& r : ranked) out.push_back(r.second);
  return out;
}

Mapping ReflexiveAddresses::mapping(base::IpAddress::Family family) const {
  // An observer that sees our own address reached us without a NAT (the same network): it
  // says nothing of how the NAT toward the others maps.
  std::set<base::IpAddress> observers;
  std::set<base::Endpoint> mapped;
  bool any_local = false;
  for (const Observation& o : observations_) {
    if (o.mapped.address.family() != family) continue;
    if (is_local(o.mapped)) {
      any_local = true;
      continue;
    }
    observers.insert(o.observer_endpoint.address);
    mapped.insert(o.mapped);
  }
  if (mapped.empty()) return any_local ? Mapping::kNone : Mapping::kUnknown;
  if (mapped.size() > 1) return Mapping::kEndpointDependent;
  // One observer can show that there is no NAT, but not how a NAT maps.
  return observers.size() >= 2 ? Mapping::kEndpointIndependent : Mapping::kUnknown;
}

}  // namespace mw::nat
