// SPDX-License-Identifier: Apache-2.0
// The meshward command line: `meshward <command> [options]`.
#pragma once

#include <string>
#include <vector>

#include "base/version.h"
#include "cli/context.h"

namespace mw::cli {

using mw::kVersion;

// Runs one command line (args[0] is the program name) in `ctx`; returns the exit code.
int run(const std::vector<std::string>& args, Context& ctx);
// main(): the real environment, streams and clock; `run_up` runs the mesh daemon,
// `run_netcheck` the one-off NAT probe.
int main_entry(int argc, char** argv, UpRunner run_up, NetcheckRunner run_netcheck);

}  // namespace mw::cli
