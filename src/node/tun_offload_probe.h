// SPDX-License-Identifier: Apache-2.0
// The start-up probe of TUN offloads: before the interface is created, a forked child builds
// two offloading TUN interfaces in private network namespaces and sends TCP (IPv4 and IPv6)
// and UDP GSO traffic between them through this data path's own segmentation and coalescing.
// The first offload set whose traffic arrives intact is the one the interface asks for; kernels
// have shipped bugs here.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "os/tun.h"

namespace mw::node {

struct TunOffloadChoice {
  os::TunOffloads offloads;  // what to ask Tun::open for
  bool probed = false;       // false: the probe could not run here (no namespaces, ...)
  std::string note;          // for the log: what passed, what failed and why
};

// Tries TSO+USO, then TSO, then checksum offload alone, each with a real round trip (about
// 70 ms each), and returns the first that passes; none passing turns the virtio-net header off.
// When the probe cannot run (no CAP_SYS_ADMIN for namespaces, a child that overran its
// deadline: any error with an errno) it returns TunOffloads::all(), unprobed: Tun::open then
// takes what the kernel accepts, as without a probe.
TunOffloadChoice probe_tun_offloads(int mtu);

// The choice alone, over any round trip (the real one runs os::tun_round_trip in a private
// child): errors with errno 0 mean the offload set failed, others that the probe cannot run.
using TunRoundTrip = std::function<base::Result<void>(const os::TunOffloads&)>;
TunOffloadChoice choose_tun_offloads(const TunRoundTrip& round_trip);

}  // namespace mw::node
