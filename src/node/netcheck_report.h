// SPDX-License-Identifier: Apache-2.0
// The netcheck report built from a STUN client and the reflexive addresses: one form for the
// daemon's view (NatService) and for a one-off probe (run_netcheck).
#pragma once

#include <optional>

#include "control/netcheck.h"
#include "nat/reflexive.h"
#include "nat/stun_client.h"

namespace mw::node {

control::NetcheckReport netcheck_report(const nat::StunClient& stun,
                                        const nat::ReflexiveAddresses& reflexive,
                                        std::optional<bool> hairpin,
                                        const std::vector<base::IpAddress>& local, uint16_t port,
                                        base::Instant now);

}  // namespace mw::node
