// SPDX-License-Identifier: Apache-2.0
// meshward.toml: every `meshward up` setting in a small TOML subset (key = value lines, "#"
// comments, basic strings with \" \\ \n \t escapes, integers, booleans, one-line arrays of
// strings; no tables). Flags given on the command line win over the file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace mw::trust {

struct UpSettings {
  std::vector<std::string> seeds;          // seeds = ["host:port", ...]
  std::vector<std::string> stun;           // stun = ["host[:port]", ...] (STUN servers)
  std::optional<uint16_t> port;            // port = 51821
  std::optional<std::string> interface;    // interface = "mw0"
  std::optional<std::string> announce;     // announce = "ip[:port]"
  std::optional<bool> open;                // open = false
  std::optional<bool> gossip_only;         // gossip_only = false
  std::optional<std::string> metrics;      // metrics = "127.0.0.1:9100"
  std::optional<std::string> ipv6_prefix;  // ipv6_prefix = "fd99:6d67::/64"
  std::optional<std::string> ipv4_prefix;  // ipv4_prefix = "10.99.0.0/16"
  // port_mapping = "auto" | "upnp" | "natpmp" | "pcp" | "off"; false is "off", true "auto".
  std::optional<std::string> port_mapping;
};

// Errors are one line naming the file, line and key: "meshward.toml:3: port: expected an
// integer from 1 to 65535". Unknown keys, duplicate keys and tables are errors.
base::Result<UpSettings> parse_settings(std::string_view text, std::string_view file_name);
// A file that parse_settings reads back as the same settings.
std::string format_settings(const UpSettings& settings);

}  // namespace mw::trust
