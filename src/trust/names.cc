// SPDX-License-Identifier: Apache-2.0
// File-name sanitising for trust files: no path separators, no hidden or relative names.
#include "trust/names.h"

#include <algorithm>

namespace mw::trust {

namespace {

constexpr size_t kMaxNameLen = 64;

bool is_safe_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

}  // namespace

// Replaces first, then drops leading dots, then cuts: "../x" becomes "_x" and ".." nothing.
std::optional<std::string> sanitize_name(std::string_view name) {
  std::string out;
  out.reserve(std::min(name.size(), kMaxNameLen));
  for (char c : name) {
    if (out.empty() && c == '.') continue;
    out.push_back(is_safe_char(c) ? c : '_');
    if (out.size() == kMaxNameLen) break;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace mw::trust
