// SPDX-License-Identifier: Apache-2.0
// A real round trip through two offloading TUN interfaces, as the start-up probe of TUN
// offloads: each interface lives in a network namespace of its own, the two joined only by a
// caller-supplied relay (the data path's own segmentation and coalescing), and TCP over IPv4
// and IPv6 plus a UDP burst (one UDP_SEGMENT send when USO is asked for) cross between them. It
// passes only if every byte arrives as sent.
#pragma once

#include "base/result.h"
#include "base/time.h"
#include "os/tun.h"

namespace mw::os {

// Moves packets between the two interfaces, as the data path would through the tunnel.
class TunRelay {
 public:
  virtual ~TunRelay() = default;
  // Reads what `from` has (non-blocking) and writes it to `to`. An error ends the probe.
  virtual base::Result<void> forward(Tun& from, Tun& to) = 0;
};

// Must run alone in a process of its own inside a private network namespace (see
// run_in_private_network_namespace): it creates a second namespace and two TUN interfaces
// with `want`'s offloads and moves the calling thread between the namespaces.
// An error with sys_errno() != 0 means the probe could not be set up (no namespaces, no TUN,
// no sockets) and says nothing of the offloads. An error with sys_errno() == 0 means the
// offloads failed: the kernel refused part of `want`, or the traffic did not arrive intact
// before `timeout`.
base::Result<void> tun_round_trip(int mtu, TunOffloads want, TunRelay& relay,
                                  base::Duration timeout);

}  // namespace mw::os
