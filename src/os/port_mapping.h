// SPDX-License-Identifier: Apache-2.0
// Asking the gateway for an inbound UDP port mapping: UPnP-IGD through libminiupnpc, NAT-PMP
// through libnatpmp, and the datagram exchange PCP needs (its codec is nat/pcp.h); plus the
// default IPv4 gateway. Every call blocks, each for a bounded time (the waits below; a UPnP SOAP
// call is bounded by libminiupnpc's socket timeouts of a few seconds): call them from a thread
// that may wait, never from the node's loop. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"

namespace mw::os {

// The default IPv4 route's gateway (/proc/net/route); parse_default_gateway reads that file's
// text.
base::Result<base::IpAddress> default_gateway();
base::Result<base::IpAddress> parse_default_gateway(std::string_view proc_net_route);

// A mapping the gateway granted: inbound UDP to `external` reaches `internal_port` here.
struct GatewayMapping {
  base::Endpoint external;
  base::IpAddress gateway;
  uint16_t internal_port = 0;
  base::Duration lifetime;  // zero: permanent (a UPnP IGD that supports no leases)
};

// --- UPnP-IGD
// What deleting a UPnP mapping needs.
struct UpnpMapping {
  GatewayMapping mapping;
  std::string control_url, service_type;
};
// Discovers an IGD (SSDP, waiting at most `discover_wait`), accepts one whose external address
// is private too (behind a carrier-grade NAT it is; the caller compares it with what STUN
// sees), and maps UDP external = internal = `internal_port` for `lifetime` (an IGD without
// leases gets a permanent mapping), "meshward" as the description; if that port is taken, any
// free external port the IGD picks.
base::Result<UpnpMapping> upnp_map(uint16_t internal_port, base::Duration lifetime,
                                   base::Duration discover_wait);
base::Result<void> upnp_unmap(const UpnpMapping& m);

// --- NAT-PMP (RFC 6886): to the default gateway, giving up after `wait` per request.
// `lifetime` zero deletes the mapping of `internal_port`.
base::Result<GatewayMapping> natpmp_map(uint16_t internal_port, uint16_t suggested_port,
                                        base::Duration lifetime, base::Duration wait);

// --- A request/response exchange over UDP from an ephemeral port (PCP's, RFC 6887 §8.1):
// `build` makes the request given our source address towards `to`; it is sent at once and
// again after 250 ms, 500 ms, 1 s... until `wait` is over; the first datagram from `to` that
// `accept` takes is returned.
base::Result<std::vector<uint8_t>> udp_exchange(
    const base::Endpoint& to,
    const std::function<std::vector<uint8_t>(const base::IpAddress&)>& build,
    const std::function<bool(base::Bytes)>& accept, base::Duration wait);

}  // namespace mw::os
