// SPDX-License-Identifier: Apache-2.0
// For root-only tests (network namespaces, TUN): skips the test unless the process runs as
// root. A macro, used as a statement in the test body, because GTEST_SKIP() returns only from
// the function it is written in: in a helper function the test would go on running.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#define MW_SKIP_UNLESS_ROOT(why)                                  \
  do {                                                            \
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (" why ")"; \
  } while (0)
