// SPDX-License-Identifier: Apache-2.0
// The STUN servers a command uses (`up`, `netcheck`): the --stun flags when given, else
// meshward.toml's `stun` list, else none. `--stun none` alone means no server.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace mw::cli {

constexpr size_t kMaxStunServers = 8;

// Each entry is checked as host[:port]; errors name the flag or the file's key.
base::Result<std::vector<std::string>> stun_servers(const std::vector<std::string>& flags,
                                                    const std::vector<std::string>& file);

}  // namespace mw::cli
