// SPDX-License-Identifier: Apache-2.0
// Runs meshward command lines in-process against a temporary config directory.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "base/testing/temp_dir.h"
#include "cli/cli.h"

namespace mw::cli::testing {

struct Outcome {
  int rc;
  std::string out;
  std::string err;
};

// The config directory lives inside a fresh /tmp directory, which is removed with everything in
// it when the TempConfig is destroyed.
class TempConfig {
 public:
  TempConfig();
  TempConfig(const TempConfig&) = delete;
  TempConfig& operator=(const TempConfig&) = delete;
  const std::string& dir() const { return dir_; }
  std::string path(const std::string& rel) const { return dir_ + "/" + rel; }
  // Runs `meshward <args...>`; `input` feeds a confirmation prompt when `interactive`.
  Outcome run(std::vector<std::string> args, const std::string& input = "",
              bool interactive = false, int64_t now_unix = 1'800'000'000) const;
  // The one-off NAT probe `netcheck` runs without a daemon (none by default).
  void set_netcheck_runner(NetcheckRunner runner) { netcheck_ = std::move(runner); }

 private:
  base::testing::TempDir root_{"mw-cli-test"};  // dir_ is root_ + "/config"
  std::string dir_;
  NetcheckRunner netcheck_;
};

}  // namespace mw::cli::testing
