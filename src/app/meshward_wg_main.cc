// SPDX-License-Identifier: Apache-2.0
// meshward-wg: a userspace WireGuard interface driven by wg(8) and wg-quick(8), a drop-in for
// wireguard-go: `meshward-wg [-f] <ifname>`.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <optional>

#include "app/data_path_options.h"
#include "base/env.h"
#include "base/log.h"
#include "base/version.h"
#include "node/crypto_startup.h"
#include "node/wg_interface.h"

using mw::kVersion;

// Before libcrypto loads: no 512-bit AVX-512 code in OpenSSL (node/crypto_startup.h).
MW_PREPARE_CRYPTO_BEFORE_LOAD();

int main(int argc, char** argv) {
  CLI::App app{
      "meshward-wg: a userspace WireGuard interface, configured with wg(8) and wg-quick(8)\n"
      "through the UAPI socket /var/run/wireguard/<ifname>.sock, like wireguard-go.\n"
      "Environment: LOG_LEVEL=silent|error|info|debug (default error).\n"
      "TUN offloads (TSO/USO) and UDP GSO/GRO are used when a start-up round trip shows\n"
      "they work (TUN offloads unprobed without CAP_SYS_ADMIN); the log (LOG_LEVEL=info)\n"
      "says which, and which I/O backend (--io) runs the loop."};
  std::string ifname;
  bool foreground = false;
  app.add_flag("-f,--foreground", foreground, "stay in the foreground instead of daemonizing");
  app.add_option("ifname", ifname, "interface name, e.g. wg0")->required();
  mw::node::WgInterfaceOptions options;
  mw::cli::DataPathFlags data_path;
  mw::cli::add_data_path_flags(app, data_path);
  app.set_version_flag("--version", fmt::format("meshward-wg {}", kVersion));
  CLI11_PARSE(app, argc, argv);

  auto level = mw::base::log_level_from_env(mw::base::LogLevel::kError);
  if (!level) {
    fmt::print(stderr, "error: {}\n", level.error().message());
    return 1;
  }
  mw::base::set_log_level(*level);

  auto resolved = mw::cli::resolve_data_path(data_path);
  if (!resolved) {
    fmt::print(stderr, "error: {}\n", resolved.error().message());
    return 1;
  }
  options.data_path = mw::app::data_path_options(*resolved);
  options.name = ifname;
  return mw::node::run_wg_daemon(
      options, foreground,
      std::getenv("LOG_LEVEL") != nullptr && *level != mw::base::LogLevel::kSilent);
}
