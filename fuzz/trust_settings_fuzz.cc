// SPDX-License-Identifier: Apache-2.0
// Fuzzes the meshward.toml parser: accepted settings survive format_settings and a re-parse.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "trust/settings.h"

namespace {

void check(bool ok) {
  if (!ok) __builtin_trap();
}

bool same(const mw::trust::UpSettings& a, const mw::trust::UpSettings& b) {
  return a.seeds == b.seeds && a.port == b.port && a.interface == b.interface &&
         a.announce == b.announce && a.open == b.open && a.gossip_only == b.gossip_only &&
         a.metrics == b.metrics && a.ipv6_prefix == b.ipv6_prefix && a.ipv4_prefix == b.ipv4_prefix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto settings = mw::trust::parse_settings(text, "fuzz.toml");
  if (!settings.ok()) {
    check(settings.error().message().starts_with("fuzz.toml:"));
    return 0;
  }
  const std::string formatted = mw::trust::format_settings(*settings);
  auto again = mw::trust::parse_settings(formatted, "fuzz.toml");
  check(again.ok());
  check(same(*settings, *again));
  check(mw::trust::format_settings(*again) == formatted);
  return 0;
}
