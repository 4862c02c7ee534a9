// SPDX-License-Identifier: Apache-2.0
// The netcheck report built from a STUN client and the reflexive addresses: one form for the
// daemon's view (NatService) and for a one-off probe (run_netcheck).
#pragma once

#include <optional>

#include "control/netcheck.h"
#include "nat/filtering.h"
#include "nat/reflexive.h"
#include "nat/stun_client.h"

namespace mw::node {

// What the node's own checks found, beside the STUN answers and the observations.
struct NatChecks {
  std::optional<bool> hairpin;  // unset until the check ran
  nat::Filtering filtering_v4 = nat::Filtering::kUnknown;
  nat::Filtering filtering_v6 = nat::Filtering::kUnknown;
};

control::NetcheckReport netcheck_report(const nat::StunClient& stun,
                                        const nat::ReflexiveAddresses& reflexive,
                                        const NatChecks& checks,
                                        const std::vector<base::IpAddress>& local, uint16_t port,
                                        base::Instant now);

}  // namespace mw::node
