// SPDX-License-Identifier: Apache-2.0
// What `meshward netcheck` hands to a one-off probe when no daemon is running. The probe lives
// in node/, which the command line may not include: main() supplies it (Context::run_netcheck).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "control/netcheck.h"

namespace mw::cli {

struct NetcheckRequest {
  std::vector<std::string> stun;  // "host[:port]"; at least one
  uint16_t port = 0;              // the local UDP port to probe from (0: any free one)
  base::Duration timeout = base::Duration::seconds(5);
};

using NetcheckRunner = std::function<base::Result<control::NetcheckReport>(const NetcheckRequest&)>;

}  // namespace mw::cli
