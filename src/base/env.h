// SPDX-License-Identifier: Apache-2.0
// Reading the environment variables that mirror command-line switches (MESHWARD_NO_UDP_GSO=1,
// MESHWARD_CRYPTO_WORKERS=2, ...), one way for every program.
#pragma once

#include <optional>
#include <string>

#include "base/log.h"
#include "base/result.h"

namespace mw::base {

// Set, non-empty and not "0".
bool env_flag(const char* name);
// The value when set and non-empty.
std::optional<std::string> env_value(const char* name);
// A whole decimal number in [min, max] when set and non-empty; anything else is an error
// naming the variable: "MESHWARD_CRYPTO_WORKERS: 'x' is not a number from 0 to 64".
Result<std::optional<int>> env_int(const char* name, int min, int max);
// LOG_LEVEL (wireguard-go's words), or `fallback` when unset; an unknown word is an error.
Result<LogLevel> log_level_from_env(LogLevel fallback);

}  // namespace mw::base
