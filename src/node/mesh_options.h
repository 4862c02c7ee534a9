// SPDX-License-Identifier: Apache-2.0
// Everything `meshward up` needs to run a mesh node, as gathered by the command line from flags,
// meshward.toml and the config directory; and the entry point that runs it in the foreground.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.h"
#include "base/result.h"
#include "node/wg_interface.h"
#include "trust/address.h"
#include "trust/authorize.h"
#include "trust/certificate.h"
#include "trust/identity.h"

namespace mw::node {

struct MeshOptions {
  trust::Identity identity;
  trust::TrustStore trust{trust::PublicKey{}};
  trust::MeshPrefixes prefixes = trust::MeshPrefixes::defaults();
  std::optional<trust::Certificate> certificate;  // node.cert, presented to peers
  uint16_t port = 51821;                          // the one UDP port for everything
  std::string interface = "mw0";
  int mtu = 1420;
  std::vector<std::string> seeds;        // "host:port" (port defaults to `port`)
  std::vector<base::Endpoint> announce;  // endpoints put in our signed alive claim
  std::vector<std::string> stun;         // STUN servers, "host[:port]" (none: members only)
  // Ask the gateway for an inbound mapping of the port: "auto" (UPnP-IGD, NAT-PMP, PCP in
  // turn), "upnp", "natpmp", "pcp" or "off".
  std::string port_mapping = "auto";
  bool gossip_only = false;               // membership only: no TUN, no tunnels
  std::optional<base::Endpoint> metrics;  // Prometheus text on http://<this>/metrics
  std::string control_socket;             // the control protocol's unix socket
  DataPathOptions data_path;              // offloads, I/O backend, crypto threads, busy polling
  // Remembers the incarnation across restarts, so that a node whose clock stepped back still
  // supersedes its earlier claims and counters ("" = none; `up` uses <config dir>/state).
  std::string state_file;
  // Give the TUN its addresses, MTU and routes (off only in tests without a real TUN).
  bool configure_interface = true;
  // Re-reads the trust files on SIGHUP; an error keeps the old trust.
  std::function<base::Result<trust::TrustStore>()> reload_trust;
};

// Runs the node until SIGINT/SIGTERM or `meshward down`; returns the process exit code. Start-up
// failures are printed as one "error: ..." line.
int run_mesh(MeshOptions options);

}  // namespace mw::node
