// SPDX-License-Identifier: Apache-2.0
// The meshward command line: `meshward <command> [options]`.
#pragma once

#include <string>
#include <vector>

#include "cli/context.h"

namespace mw::cli {

constexpr char kVersion[] = "0.1.0";

// Runs one command line (args[0] is the program name) in `ctx`; returns the exit code.
int run(const std::vector<std::string>& args, Context& ctx);
// main(): the real environment, streams and clock.
int main_entry(int argc, char** argv);

}  // namespace mw::cli
