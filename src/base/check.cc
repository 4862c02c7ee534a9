// SPDX-License-Identifier: Apache-2.0
// CHECK/BUG reporting.
#include "base/check.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "base/log.h"

namespace mw::base {
namespace {
std::atomic<uint64_t> g_bugs{0};
}

void check_failed(const char* expr, const char* file, int line) {
  std::fprintf(stderr, "CHECK failed: %s at %s:%d\n", expr, file, line);
  std::abort();
}

void report_bug(const char* what, const char* file, int line) {
  g_bugs.fetch_add(1, std::memory_order_relaxed);
#ifndef NDEBUG
  std::fprintf(stderr, "BUG: %s at %s:%d\n", what, file, line);
  std::abort();
#else
  MW_LOG_ERROR("BUG: {} at {}:{}", what, file, line);
#endif
}

uint64_t bug_count() { return g_bugs.load(std::memory_order_relaxed); }

}  // namespace mw::base
