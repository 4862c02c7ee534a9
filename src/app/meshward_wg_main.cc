// SPDX-License-Identifier: Apache-2.0
// meshward-wg: a userspace WireGuard interface driven by wg(8) and wg-quick(8), a drop-in for
// wireguard-go: `meshward-wg [-f] <ifname>`.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <optional>

#include "base/env.h"
#include "base/log.h"
#include "base/version.h"
#include "node/crypto_startup.h"
#include "node/wg_interface.h"

using mw::kVersion;

// The longest spin before sleeping that --busy-poll takes: 10 ms.
constexpr int kMaxBusyPollMicros = 10000;

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
  bool no_gso = false, no_gro = false, no_tun_offload = false;
  app.add_flag("--no-tun-offload", no_tun_offload,
               "plain TUN packets, no virtio-net header (also MESHWARD_NO_TUN_OFFLOAD=1)");
  app.add_flag("--no-udp-gso", no_gso,
               "never send with UDP segmentation offload (also MESHWARD_NO_UDP_GSO=1)");
  app.add_flag("--no-udp-gro", no_gro, "never receive with UDP GRO (also MESHWARD_NO_UDP_GRO=1)");
  std::string io;
  app.add_option(
      "--io", io,
      "I/O backend: auto (default; epoll for now, see docs/meshward-wg.md), uring (fails "
      "if the kernel refuses io_uring) or epoll (also MESHWARD_IO=...)");
  std::optional<int> crypto_workers;
  std::optional<int> busy_poll_us;
  app.add_option("--crypto-workers", crypto_workers,
                 "threads sealing outbound and opening inbound batches, the loop's own "
                 "included: 0 = auto (the online CPUs), 1 = the loop alone (the default) "
                 "(also MESHWARD_CRYPTO_WORKERS=N)")
      ->check(CLI::Range(0, 64));
  app.add_option("--busy-poll", busy_poll_us,
                 "microseconds the loop keeps looking for packets before it sleeps: fewer "
                 "wake-ups for a spinning core; 0 = off (the default) (also "
                 "MESHWARD_BUSY_POLL=N)")
      ->check(CLI::Range(0, kMaxBusyPollMicros));
  app.set_version_flag("--version", fmt::format("meshward-wg {}", kVersion));
  CLI11_PARSE(app, argc, argv);

  auto level = mw::base::log_level_from_env(mw::base::LogLevel::kError);
  if (!level) {
    fmt::print(stderr, "error: {}\n", level.error().message());
    return 1;
  }
  mw::base::set_log_level(*level);

  if (io.empty()) io = mw::base::env_value("MESHWARD_IO").value_or("auto");
  auto mode = mw::dp::parse_io_mode(io);
  if (!mode) {
    fmt::print(stderr, "error: --io/MESHWARD_IO={} is not one of auto, uring, epoll\n", io);
    return 1;
  }
  options.data_path.io = *mode;
  if (!crypto_workers) {
    auto n = mw::base::env_int("MESHWARD_CRYPTO_WORKERS", 0, 64);
    if (!n) {
      fmt::print(stderr, "error: {}\n", n.error().message());
      return 1;
    }
    crypto_workers = *n;
  }
  options.data_path.crypto_workers = crypto_workers.value_or(1);
  if (!busy_poll_us) {
    auto n = mw::base::env_int("MESHWARD_BUSY_POLL", 0, kMaxBusyPollMicros);
    if (!n) {
      fmt::print(stderr, "error: {}\n", n.error().message());
      return 1;
    }
    busy_poll_us = *n;
  }
  options.data_path.busy_poll = mw::base::Duration::micros(busy_poll_us.value_or(0));
  options.name = ifname;
  options.data_path.tun_offload = !no_tun_offload && !mw::base::env_flag("MESHWARD_NO_TUN_OFFLOAD");
  options.data_path.udp_gso = !no_gso && !mw::base::env_flag("MESHWARD_NO_UDP_GSO");
  options.data_path.udp_gro = !no_gro && !mw::base::env_flag("MESHWARD_NO_UDP_GRO");
  return mw::node::run_wg_daemon(
      options, foreground,
      std::getenv("LOG_LEVEL") != nullptr && *level != mw::base::LogLevel::kSilent);
}
