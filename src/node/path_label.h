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
//   "lan"       its own private address, no NAT on either side: the same network;
//   "public"    its own address, not a private one (or reached through our NAT);
//   ""          not said: an --announce endpoint, or not a direct path.
// Pure.
#pragma once

#include <string>

#include "base/ip_address.h"
#include "discovery/types.h"

namespace mw::node {

// Whether `a` is in a private, shared or link-local range (RFC 1918, RFC 6598, RFC 3927,
// RFC 4193, RFC 4291): one that only the same site routes.
bool is_private_address(const base::IpAddress& a);

// What the node knows of the NAT on its own side.
struct OurSide {
  bool seen_unchanged = false;  // the member last reported our address as one of our own
  bool behind_nat = false;      // some NAT (or unknown) is in front of our port
};

std::string path_via(const swim::MemberView& m, OurSide us);

}  // namespace mw::node
