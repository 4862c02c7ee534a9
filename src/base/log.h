// SPDX-License-Identifier: Apache-2.0
// A small leveled logger on fmt, writing one line per message to stderr. Thread-safe.
#pragma once

#include <string_view>

#include <fmt/format.h>

namespace mw::base {

enum class LogLevel { kSilent = 0, kError = 1, kWarn = 2, kInfo = 3, kDebug = 4 };

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "silent", "error", "warn", "info", "debug" (wireguard-go's LOG_LEVEL words).
bool parse_log_level(std::string_view text, LogLevel* out);
void log_line(LogLevel level, std::string_view message);

template <typename... Args>
void log(LogLevel level, fmt::format_string<Args...> f, Args&&... args) {
  if (static_cast<int>(level) > static_cast<int>(log_level())) return;
  log_line(level, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace mw::base

#define MW_LOG_ERROR(...) ::mw::base::log(::mw::base::LogLevel::kError, __VA_ARGS__)
#define MW_LOG_WARN(...) ::mw::base::log(::mw::base::LogLevel::kWarn, __VA_ARGS__)
#define MW_LOG_INFO(...) ::mw::base::log(::mw::base::LogLevel::kInfo, __VA_ARGS__)
#define MW_LOG_DEBUG(...) ::mw::base::log(::mw::base::LogLevel::kDebug, __VA_ARGS__)
