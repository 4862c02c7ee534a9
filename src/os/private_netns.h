// SPDX-License-Identifier: Apache-2.0
// Network namespaces of our own: a forked child that works in a fresh namespace (so links,
// addresses and routes it creates never touch the host's) under a deadline, and moving the
// calling thread between namespaces. Used by the start-up TUN offload probe and by root-only
// tests. Needs CAP_SYS_ADMIN.
#pragma once

#include <functional>

#include "base/result.h"
#include "base/time.h"
#include "base/unique_fd.h"

namespace mw::os {

// unshare(CLONE_NEWNET) for the calling thread.
base::Result<void> enter_new_network_namespace();
// The calling thread's network namespace, as a descriptor enter_network_namespace() takes.
base::Result<base::UniqueFd> current_network_namespace();
// setns() into the namespace `ns_fd` names.
base::Result<void> enter_network_namespace(int ns_fd);

// Forks; the child enters a new network namespace, runs `body` and exits; the namespace and
// all it holds vanish with the child. Returns the body's error (message and errno travel back
// through a pipe), an error if the child crashed, or one naming `timeout`, with errno
// ETIMEDOUT, if the child ran past it (it is then killed). The child is killed too if the
// calling thread dies. Refused (EBUSY) once the process runs more than one thread: the child
// would have only the caller's, and a lock another thread held at the fork would stay held.
base::Result<void> run_in_private_network_namespace(const std::function<base::Result<void>()>& body,
                                                    base::Duration timeout);

}  // namespace mw::os
