// SPDX-License-Identifier: Apache-2.0
#include "cli/stun_servers.h"

#include <fmt/format.h>

#include "os/resolve.h"

namespace mw::cli {

base::Result<std::vector<std::string>> stun_servers(const std::vector<std::string>& flags,
                                                    const std::vector<std::string>& file) {
  bool from_flags = !flags.empty();
  const std::vector<std::string>& list = from_flags ? flags : file;
  const char* where = from_flags ? "--stun" : "meshward.toml: stun";
  if (from_flags && flags.size() == 1 && flags[0] == "none") return std::vector<std::string>{};
  if (list.size() > kMaxStunServers)
    return base::make_error("{}: at most {} servers, got {}", where, kMaxStunServers, list.size());
  for (const std::string& s : list) {
    if (s == "none")
      return base::make_error("{}: 'none' means no server and cannot be combined with others",
                              where);
    auto hp = os::split_host_port(s, 3478);
    if (!hp) return base::make_error("{}: '{}': {}", where, s, hp.error().message());
    if (hp->port == 0) return base::make_error("{}: '{}': port 0", where, s);
  }
  return list;
}

}  // namespace mw::cli
