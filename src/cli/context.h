// SPDX-License-Identifier: Apache-2.0
// What every command runs with: the config directory, output streams, standard input, whether
// it is a terminal (for confirmations), and the current time. Tests fill it in by hand.
#pragma once

#include <iosfwd>
#include <string>

#include "base/time.h"
#include "cli/netcheck_request.h"
#include "cli/up_request.h"

namespace mw::cli {

struct Context {
  std::string config_dir;
  std::ostream* out;
  std::ostream* err;
  std::istream* in;
  bool interactive = false;  // stdin is a terminal: commands may ask before overwriting
  base::WallTime now;
  UpRunner run_up;              // runs the mesh daemon (set by main(); tests may fake it)
  NetcheckRunner run_netcheck;  // a one-off NAT probe without a daemon (likewise)
};

// Exit codes: 0 success, 1 user error ("error: ..." on stderr), 2 usage error.
constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

// Prints "error: <message>" and returns kExitError.
int fail(const Context& ctx, std::string_view message);

}  // namespace mw::cli
