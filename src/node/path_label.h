// SPDX-License-Identifier: Apache-2.0
// path_via: how this node reaches a member directly, in the words `meshward status` uses
// (docs/nat.md, "Seeing it"). From the member's signed candidates (what each endpoint is to
// it), whether a punch session opened the path, and what NAT is on our side:
//   "mapped"    the port mapping its gateway granted it (UPnP-IGD, NAT-PMP or PCP), even if a
//               punch went there too;
//   "punched"   its NAT's public address, opened by a punch session, or with a NAT on our side
//               too (then both NATs let the other in only because each side sent first: what
//               a punch is, whether a session or the crossing probes did it);
//   "reflexive" its NAT's public address (announced, or where its datagrams come from), open to
//               us without a punch: no NAT on our side;
//   "lan"       its own address, in the /24 (IPv4) or /64 (IPv6) of one of ours: the same
//               network;
//   "public"    its own address, on another network (a firewall on either side may have let
//               it in only because both sides sent: crossing probes open it like a punch);
//   ""          not said: an --announce endpoint, or not a direct path.
// Pure.
#pragma once

#include <string>
#include <vector>

#include "base/ip_address.h"
#include "discovery/types.h"

namespace mw::node {

// Whether `a` lies in the /24 (IPv4) or /64 (IPv6) of one of `ours`.
bool same_network(const base::IpAddress& a, const std::vector<base::IpAddress>& ours);

// What the node knows of its own side.
struct OurSide {
  std::vector<base::IpAddress> local;  // the host's own addresses
  bool behind_nat = false;             // some NAT (or unknown) is in front of our port
};

std::string path_via(const swim::MemberView& m, const OurSide& us);

}  // namespace mw::node
