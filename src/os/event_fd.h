// SPDX-License-Identifier: Apache-2.0
// An eventfd: how a thread wakes a loop that waits on fds. Any thread may signal it; the
// loop's wait reports it readable until drained.
#pragma once

#include "base/result.h"
#include "base/unique_fd.h"

namespace mw::os {

// A non-blocking eventfd.
base::Result<base::UniqueFd> make_event_fd();
// Makes it readable (any thread; never blocks).
void signal_event_fd(int fd);
// Clears it (the loop's thread); false when it was not signalled.
bool drain_event_fd(int fd);

}  // namespace mw::os
