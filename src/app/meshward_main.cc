// SPDX-License-Identifier: Apache-2.0
// meshward: the mesh VPN's command line; `meshward up` runs the mesh daemon (node/) in the
// foreground, logging at LOG_LEVEL (default info).
#include <fmt/format.h>

#include <cstdlib>

#include "app/data_path_options.h"
#include "base/env.h"
#include "base/log.h"
#include "cli/cli.h"
#include "node/crypto_startup.h"
#include "node/mesh_options.h"
#include "node/netcheck_run.h"

namespace {

int run_up(mw::cli::UpRequest req) {
  auto level = mw::base::log_level_from_env(mw::base::LogLevel::kInfo);
  if (!level) {
    fmt::print(stderr, "error: {}\n", level.error().message());
    return 2;
  }
  mw::base::set_log_level(*level);
  mw::node::MeshOptions o;
  o.identity = std::move(req.identity);
  o.trust = std::move(req.trust);
  o.prefixes = req.prefixes;
  o.certificate = std::move(req.certificate);
  o.port = req.port;
  o.interface = std::move(req.interface);
  o.seeds = std::move(req.seeds);
  o.announce = std::move(req.announce);
  o.stun = std::move(req.stun);
  o.port_mapping = std::move(req.port_mapping);
  o.gossip_only = req.gossip_only;
  o.metrics = req.metrics;
  o.control_socket = std::move(req.control_socket);
  o.state_file = std::move(req.state_file);
  o.data_path = mw::app::data_path_options(req.data_path);
  o.reload_trust = std::move(req.reload_trust);
  return mw::node::run_mesh(std::move(o));
}

}  // namespace

// Before libcrypto loads: no 512-bit AVX-512 code in OpenSSL (node/crypto_startup.h).
MW_PREPARE_CRYPTO_BEFORE_LOAD();

int main(int argc, char** argv) {
  return mw::cli::main_entry(argc, argv, run_up, [](const mw::cli::NetcheckRequest& r) {
    return mw::node::run_netcheck(r.stun, r.port, r.timeout);
  });
}
