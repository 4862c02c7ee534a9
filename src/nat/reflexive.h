// SPDX-License-Identifier: Apache-2.0
// ReflexiveAddresses: what others see of the node's UDP port, and what that says about the NAT
// in front of it. Observations come from STUN servers and from mesh members (each acks a ping
// with the source address it saw, in an authenticated message). Pure.
//
// Mapping (RFC 4787 §4.1) per address family, from the observers of the last max_age. An
// observer that saw one of our own local endpoints reached us without a NAT (the same LAN): it
// counts only when no other did.
//   - kNone: every observer saw one of our own local endpoints (no NAT);
//   - kEndpointIndependent: two or more of the others, at different IP addresses, saw the same
//     mapped endpoint, and none saw another;
//   - kEndpointDependent: the others saw different mapped endpoints;
//   - kUnknown: fewer than two others at different addresses.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/time.h"

namespace mw::nat {

enum class Mapping : uint8_t { kUnknown, kNone, kEndpointIndependent, kEndpointDependent };
// "unknown" "none" "endpoint-independent" "endpoint-dependent"
const char* mapping_name(Mapping m);

struct Observation {
  enum class Source : uint8_t { kStun, kMember } source = Source::kStun;
  std::string observer;              // the STUN server's name, or the member's identity
  base::Endpoint observer_endpoint;  // where we sent to
  base::Endpoint mapped;             // what it saw as our source
  base::Instant at;
};

class ReflexiveAddresses {
 public:
  explicit ReflexiveAddresses(base::Duration max_age = base::Duration::seconds(120),
                              size_t max_observations = 64);

  // Our own endpoints (local addresses with our port): an observation of one means no NAT.
  void set_local(std::vector<base::Endpoint> local) { local_ = std::move(local); }
  // Replaces the earlier observation of the same observer. Returns true when the set of
  // reflexive addresses changed (a new one, or the NAT moved us).
  bool observe(Observation o);
  // Forgets observations older than max_age; true when that changed the addresses.
  bool expire(base::Instant now);

  // The distinct mapped endpoints of `family`, seen by the most observers first; our own local
  // endpoints (no NAT) excluded.
  std::vector<base::Endpoint> addresses(base::IpAddress::Family family) const;
  Mapping mapping(base::IpAddress::Family family) const;
  const std::vector<Observation>& observations() const { return observations_; }

 private:
  bool is_local(const base::Endpoint& e) const;

  base::Duration max_age_;
  size_t max_;
  std::vector<base::Endpoint> local_;
  std::vector<Observation> observations_;
};

}  // namespace mw::nat
