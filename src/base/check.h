// SPDX-License-Identifier: Apache-2.0
// CHECK and BUG: our own bugs are loud. CHECK aborts always; BUG aborts in debug builds and
// logs and counts in release builds (bug_count() exposes the count to status and metrics).
#pragma once

#include <cstdint>

namespace mw::base {

[[noreturn]] void check_failed(const char* expr, const char* file, int line);
void report_bug(const char* what, const char* file, int line);
uint64_t bug_count();

}  // namespace mw::base

#define MW_CHECK(cond)                                     \
  do {                                                     \
    if (!(cond)) [[unlikely]]                              \
      ::mw::base::check_failed(#cond, __FILE__, __LINE__); \
  } while (0)

#define MW_BUG(what) ::mw::base::report_bug((what), __FILE__, __LINE__)
