// SPDX-License-Identifier: Apache-2.0
// Runs meshward command lines in-process against a temporary config directory.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"

namespace mw::cli::testing {

struct Outcome {
  int rc;
  std::string out;
  std::string err;
};

class TempConfig {
 public:
  TempConfig();
  const std::string& dir() const { return dir_; }
  std::string path(const std::string& rel) const { return dir_ + "/" + rel; }
  // Runs `meshward <args...>`; `input` feeds a confirmation prompt when `interactive`.
  Outcome run(std::vector<std::string> args, const std::string& input = "",
              bool interactive = false, int64_t now_unix = 1'800'000'000) const;

 private:
  std::string dir_;
};

}  // namespace mw::cli::testing
