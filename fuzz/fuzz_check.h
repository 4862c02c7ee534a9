// SPDX-License-Identifier: Apache-2.0
// Shared by the fuzz targets: a failed invariant traps (libFuzzer saves the input), and a
// whitespace trim written independently of the library's own, so oracles do not reuse the code
// under test.
#pragma once

#include <string_view>

namespace mw::fuzz {

inline void check(bool ok) {
  if (!ok) __builtin_trap();
}

inline std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  while (!s.empty() && kSpace.find(s.front()) != std::string_view::npos) s.remove_prefix(1);
  while (!s.empty() && kSpace.find(s.back()) != std::string_view::npos) s.remove_suffix(1);
  return s;
}

}  // namespace mw::fuzz
