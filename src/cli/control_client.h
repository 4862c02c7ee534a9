// SPDX-License-Identifier: Apache-2.0
// The commands' side of the control socket: send one request to the running daemon and decode
// its answer.
#pragma once

#include <string>

#include "base/result.h"
#include "base/time.h"
#include "control/protocol.h"

namespace mw::cli {

constexpr base::Duration kControlTimeout = base::Duration::seconds(5);

// Sends `command` to the daemon listening at `socket_path` and waits for its answer. A daemon
// that is not running, a malformed answer and a refusal ({"ok":false}) are all Errors with a
// message for the user.
base::Result<control::Response> call_daemon(const std::string& socket_path,
                                            control::Command command);

}  // namespace mw::cli
