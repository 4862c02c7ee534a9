// SPDX-License-Identifier: Apache-2.0
// NetcheckReport: what a node knows of the NATs in front of its UDP port (docs/nat.md), as the
// daemon answers the control command "netcheck" and as `meshward netcheck` prints it; and its
// JSON form.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/result.h"

namespace mw::control {

// One STUN server and its latest answer.
struct StunServerReport {
  std::string server;   // as configured, "host:port"
  std::string address;  // what it resolved to, "" while unresolved
  std::string status;   // "pending" | "ok" | "timeout" | "error" | "unresolved"
  std::string mapped;   // our address as it saw it, "" without an answer
  std::optional<double> rtt_ms;
  int error_code = 0;  // of a Binding error response
  std::string error;   // why it is unresolved

  bool operator==(const StunServerReport&) const = default;
};

// Who saw our port where: a STUN server or a mesh member (from its authenticated ack).
struct ObserverReport {
  std::string kind;      // "stun" | "member"
  std::string observer;  // the server's name or the member's key
  std::string address;   // where it is
  std::string mapped;    // what it saw of us
  double age_s = 0;      // how long ago

  bool operator==(const ObserverReport&) const = default;
};

// The inbound port mapping the node asked its gateway for (UPnP-IGD, NAT-PMP or PCP).
struct PortMappingReport {
  std::string status = "off";     // "off" | "trying" | "mapped" | "failed"
  std::string protocol = "none";  // "upnp" | "natpmp" | "pcp" | "none"
  std::string external;           // "ip:port" the gateway maps to our port, "" without one
  std::string gateway;            // the gateway that granted it (or was last asked)
  double lease_s = 0;             // seconds until the lease ends (renewed at half-life)
  // The external IP is one the world sees us at (STUN, members): only then is it announced.
  bool verified = false;
  std::string error;  // the last failed attempt's, per protocol

  bool operator==(const PortMappingReport&) const = default;
};

struct NetcheckReport {
  std::string source;  // "daemon" (a running node's view) or "standalone" (a one-off probe)
  uint16_t port = 0;   // the local UDP port observed
  // "unknown" | "none" (no NAT) | "endpoint-independent" | "endpoint-dependent"
  std::string mapping_v4 = "unknown";
  std::string mapping_v6 = "unknown";
  // "unknown" | "endpoint-independent" | "address-dependent" | "address-and-port-dependent":
  // known only through a STUN server with a second address (RFC 5780)
  std::string filtering_v4 = "unknown";
  std::string filtering_v6 = "unknown";
  std::string hairpin = "unknown";                      // "yes" | "no" | "unknown"
  std::vector<std::string> reflexive_v4, reflexive_v6;  // "ip:port", most observed first
  std::vector<std::string> local;                       // our own addresses with the port
  // What the daemon's signed claim announces, "ip:port (kind)" in order (daemon only).
  std::vector<std::string> announced;
  std::vector<StunServerReport> stun;
  std::vector<ObserverReport> observers;
  PortMappingReport port_mapping;

  bool operator==(const NetcheckReport&) const = default;
};

nlohmann::json netcheck_to_json(const NetcheckReport& report);
// Checks the type of every known field; unknown fields are ignored.
base::Result<NetcheckReport> netcheck_from_json(const nlohmann::json& j);

}  // namespace mw::control
