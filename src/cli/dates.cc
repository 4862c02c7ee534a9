// SPDX-License-Identifier: Apache-2.0
// UTC date formatting for command output.
#include "cli/dates.h"

#include <fmt/format.h>

#include <ctime>

namespace mw::cli {

std::string utc_date(int64_t unix_seconds, bool with_time) {
  if (unix_seconds == 0) return "never";
  std::time_t t = unix_seconds;
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::string date =
      fmt::format("{:04d}-{:02d}-{:02d}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  if (!with_time) return date;
  return fmt::format("{} {:02d}:{:02d} UTC", date, tm.tm_hour, tm.tm_min);
}

}  // namespace mw::cli
