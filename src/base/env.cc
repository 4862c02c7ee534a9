// SPDX-License-Identifier: Apache-2.0
// Environment switches.
#include "base/env.h"

#include <charconv>
#include <cstdlib>
#include <string_view>

namespace mw::base {

bool env_flag(const char* name) {
  auto v = env_value(name);
  return v && *v != "0";
}

std::optional<std::string> env_value(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

Result<std::optional<int>> env_int(const char* name, int min, int max) {
  auto v = env_value(name);
  if (!v) return std::optional<int>();
  int n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size() || n < min || n > max)
    return make_error("{}: '{}' is not a number from {} to {}", name, *v, min, max);
  return std::optional<int>(n);
}

Result<LogLevel> log_level_from_env(LogLevel fallback) {
  auto v = env_value("LOG_LEVEL");
  if (!v) return fallback;
  LogLevel level = fallback;
  if (!parse_log_level(*v, &level))
    return make_error("LOG_LEVEL={} is not one of silent, error, warn, info, debug", *v);
  return level;
}

}  // namespace mw::base
