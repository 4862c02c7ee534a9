// SPDX-License-Identifier: Apache-2.0
// The self-check: two complete in-process WireGuard peers over a simulated link that loses,
// duplicates and reorders, on a virtual clock; it reports what happened step by step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mw::node {

struct SelfcheckOptions {
  uint64_t packets = 5000;  // per direction on the lossy link
  uint64_t seed = 1;
  double loss = 0.05, duplicate = 0.02, reorder = 0.05;
};

struct SelfcheckStep {
  std::string name;
  bool passed = false;
  std::string detail;
};

// Runs every step; never touches the network or the real clock.
std::vector<SelfcheckStep> run_selfcheck(const SelfcheckOptions& options);

}  // namespace mw::node
