// SPDX-License-Identifier: Apache-2.0
// What `meshward up` hands to the daemon once flags, meshward.toml and the config directory are
// read and checked. The daemon itself lives in node/, which the command line may not include:
// the program's main() supplies the runner (Context::run_up).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"
#include "cli/data_path_flags.h"
#include "trust/address.h"
#include "trust/authorize.h"
#include "trust/certificate.h"
#include "trust/identity.h"

namespace mw::cli {

struct UpRequest {
  trust::Identity identity;
  trust::TrustStore trust{trust::PublicKey{}};
  trust::MeshPrefixes prefixes = trust::MeshPrefixes::defaults();
  std::optional<trust::Certificate> certificate;
  uint16_t port = 51821;
  std::string interface = "mw0";
  std::vector<std::string> seeds;
  std::vector<base::Endpoint> announce;  // port 0: the listening port
  std::vector<std::string> stun;         // STUN servers, "host[:port]"
  std::string port_mapping = "auto";     // "auto" | "upnp" | "natpmp" | "pcp" | "off"
  bool gossip_only = false;
  std::optional<base::Endpoint> metrics;
  std::string control_socket;
  std::string state_file;     // the last incarnation, kept across restarts
  DataPathRequest data_path;  // offloads, I/O backend, crypto threads, busy polling
  std::function<base::Result<trust::TrustStore>()> reload_trust;
};

using UpRunner = std::function<int(UpRequest)>;

}  // namespace mw::cli
