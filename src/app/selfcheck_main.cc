// SPDX-License-Identifier: Apache-2.0
// meshward-selfcheck: runs two in-process WireGuard peers and prints what happened.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "node/selfcheck/selfcheck.h"

int main(int argc, char** argv) {
  CLI::App app{
      "meshward-selfcheck: two complete in-process WireGuard peers on a virtual clock and a "
      "simulated link that loses, duplicates and reorders. Uses no network and no root."};
  mw::node::SelfcheckOptions options;
  bool quiet = false;
  app.add_option("--packets", options.packets, "packets per direction on the lossy link")
      ->check(CLI::Range(1, 1000000));
  app.add_option("--seed", options.seed, "seed of the simulated link");
  app.add_option("--loss", options.loss, "loss probability")->check(CLI::Range(0.0, 0.9));
  app.add_flag("-q,--quiet", quiet, "print only failures and the summary");
  CLI11_PARSE(app, argc, argv);

  auto steps = mw::node::run_selfcheck(options);
  int failed = 0;
  for (const auto& s : steps) {
    if (!s.passed) ++failed;
    if (!quiet || !s.passed)
      fmt::print("{:4} {:18} {}\n", s.passed ? "ok" : "FAIL", s.name, s.detail);
  }
  fmt::print("selfcheck: {} passed, {} failed\n", steps.size() - failed, failed);
  return failed == 0 ? 0 : 1;
}
