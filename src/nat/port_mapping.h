// SPDX-License-Identifier: Apache-2.0
// Port mappings a gateway grants (UPnP-IGD, NAT-PMP, PCP) as the node keeps them: the lease's
// schedule (renewed at half its lifetime, retried with back-off when an attempt fails) and the
// check that a mapped address is the one the world sees before it is announced. Pure: `now` is
// handed in; the attempts themselves are the node's (blocking, on a thread of their own).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/ip_address.h"
#include "base/time.h"

namespace mw::nat {

enum class MappingProtocol : uint8_t { kNone, kUpnp, kNatPmp, kPcp };
// "none" "upnp" "natpmp" "pcp"
const char* mapping_protocol_name(MappingProtocol p);
std::optional<MappingProtocol> parse_mapping_protocol(std::string_view name);

// A mapping a gateway granted: inbound UDP to `external` reaches our port.
struct PortMapping {
  MappingProtocol protocol = MappingProtocol::kNone;
  base::Endpoint external;
  base::IpAddress gateway;
  uint16_t internal_port = 0;
  base::Duration lifetime;  // as granted
};

struct LeaseConfig {
  base::Duration first_retry = base::Duration::seconds(30);
  base::Duration max_retry = base::Duration::seconds(600);
  // Not renewed sooner than this after a grant (a gateway granting seconds must not spin us).
  base::Duration min_renew = base::Duration::seconds(10);
};

// When to try (again): at once at first; at half the lifetime after a grant; after a failure at
// first_retry, doubling up to max_retry. A mapping stays held until it expires even when its
// renewal fails. Not thread-safe: one owner.
class LeaseSchedule {
 public:
  explicit LeaseSchedule(LeaseConfig config = {}) : config_(config) {}

  // The next attempt is due (none in flight).
  bool due(base::Instant now) const { return !in_flight_ && now >= next_attempt_; }
  // The next attempt, or the expiry of the held lease, whichever is first (max while in flight
  // and nothing held).
  base::Instant next_deadline() const;
  void on_attempt() { in_flight_ = true; }
  void on_granted(base::Instant now, base::Duration lifetime);
  void on_failed(base::Instant now);
  // Drops the held lease when it expired; true when it did just now.
  bool expire(base::Instant now);

  bool held() const { return held_; }
  bool in_flight() const { return in_flight_; }
  base::Instant expires() const { return expires_; }
  base::Duration backoff() const { return backoff_; }  // the wait after the next failure

 private:
  LeaseConfig config_;
  bool in_flight_ = false;
  bool held_ = false;
  base::Instant next_attempt_{};
  base::Instant expires_{};
  base::Duration backoff_ = config_.first_retry;
};

// Whether a mapped address can be trusted: its IP must be one the world sees us at (a reflexive
// address from STUN or a member). A gateway behind another NAT maps an address nobody outside
// can reach.
enum class MappingCheck : uint8_t { kUnknown, kVerified, kMismatch };
// "unknown" (no reflexive address of that family yet) "verified" "mismatch"
const char* mapping_check_name(MappingCheck c);
MappingCheck check_mapping(const base::Endpoint& external,
                           const std::vector<base::Endpoint>& reflexive);

}  // namespace mw::nat
