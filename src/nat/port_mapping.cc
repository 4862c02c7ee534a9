// SPDX-License-Identifier: Apache-2.0
// The lease schedule and the mapped-address check.
#include "nat/port_mapping.h"

#include <algorithm>

namespace mw::nat {

const char* mapping_protocol_name(MappingProtocol p) {
  switch (p) {
    case MappingProtocol::kNone: return "none";
    case MappingProtocol::kUpnp: return "upnp";
    case MappingProtocol::kNatPmp: return "natpmp";
    case MappingProtocol::kPcp: return "pcp";
  }
  return "none";
}

std::optional<MappingProtocol> parse_mapping_protocol(std::string_view name) {
  for (MappingProtocol p : {MappingProtocol::kNone, MappingProtocol::kUpnp,
                            MappingProtocol::kNatPmp, MappingProtocol::kPcp})
    if (name == mapping_protocol_name(p)) return p;
  return std::nullopt;
}

base::Instant LeaseSchedule::next_deadline() const {
  base::Instant d = in_flight_ ? base::Instant::max() : next_attempt_;
  if (held_) d = std::min(d, expires_);
  return d;
}

void LeaseSchedule::on_granted(base::Instant now, base::Duration lifetime) {
  in_flight_ = false;
  held_ = true;
  expires_ = now + lifetime;
  next_attempt_ = now + std::max(lifetime / 2, config_.min_renew);
  backoff_ = config_.first_retry;
}

void LeaseSchedule::on_failed(base::Instant now) {
  in_flight_ = false;
  next_attempt_ = now + backoff_;
  backoff_ = std::min(backoff_ * 2, config_.max_retry);
}

bool LeaseSchedule::expire(base::Instant now) {
  if (!held_ || now < expires_) return false;
  held_ = false;
  return true;
}

const char* mapping_check_name(MappingCheck c) {
  switch (c) {
    case MappingCheck::kUnknown: return "unknown";
    case MappingCheck::kVerified: return "verified";
    case MappingCheck::kMismatch: return "mismatch";
  }
  return "unknown";
}

MappingCheck check_mapping(const base::Endpoint& external,
                           const std::vector<base::Endpoint>& reflexive) {
  bool any = false;
  for (const base::Endpoint& r : reflexive) {
    if (r.address.family() != external.address.family()) continue;
    if (r.address == external.address) return MappingCheck::kVerified;
    any = true;
  }
  return any ? MappingCheck::kMismatch : MappingCheck::kUnknown;
}

}  // namespace mw::nat
