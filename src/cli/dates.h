// SPDX-License-Identifier: Apache-2.0
// Dates as the commands print them: UTC, "never" for 0 (a certificate that does not expire).
#pragma once

#include <cstdint>
#include <string>

namespace mw::cli {

// "2027-12-31", or with `with_time` "2027-12-31 14:05 UTC"; "never" for 0.
std::string utc_date(int64_t unix_seconds, bool with_time = false);

}  // namespace mw::cli
