// SPDX-License-Identifier: Apache-2.0
// run_netcheck: `meshward netcheck` without a running daemon. Binds a UDP port, asks every STUN
// server (the same client and classification as the daemon's), checks hairpinning when the
// mapping is endpoint-independent, and reports. Blocking, bounded by the timeout.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "control/netcheck.h"

namespace mw::node {

base::Result<control::NetcheckReport> run_netcheck(const std::vector<std::string>& stun,
                                                   uint16_t port, base::Duration timeout);

}  // namespace mw::node
