// SPDX-License-Identifier: Apache-2.0
// For root-only tests: run code in a forked child inside its own network namespace, so that
// links, addresses and routes it creates never touch the host's.
#pragma once

#include <functional>

#include "base/result.h"

namespace mw::os::testing {

// unshare(CLONE_NEWNET) for the calling thread; fails without CAP_SYS_ADMIN.
base::Result<void> enter_new_network_namespace();
// Forks; the child enters a new network namespace, runs `body` and exits. Returns the child's
// error (its message travels back through a pipe), or an error if it crashed.
base::Result<void> run_in_new_network_namespace(const std::function<base::Result<void>()>& body);

}  // namespace mw::os::testing
