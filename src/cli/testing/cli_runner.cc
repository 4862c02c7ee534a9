// SPDX-License-Identifier: Apache-2.0
// In-process command runner for the CLI tests.
#include "cli/testing/cli_runner.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace mw::cli::testing {

TempConfig::TempConfig() : dir_(root_.path() + "/config") {}

Outcome TempConfig::run(std::vector<std::string> args, const std::string& input, bool interactive,
                        int64_t now_unix) const {
  std::ostringstream out, err;
  std::istringstream in(input);
  Context ctx{};
  ctx.config_dir = dir_;
  ctx.out = &out;
  ctx.err = &err;
  ctx.in = &in;
  ctx.interactive = interactive;
  ctx.now = base::WallTime{now_unix * 1'000'000'000};
  ctx.run_netcheck = netcheck_;
  args.insert(args.begin(), "meshward");
  int rc = cli::run(args, ctx);
  return {rc, out.str(), err.str()};
}

}  // namespace mw::cli::testing
