// SPDX-License-Identifier: Apache-2.0
// The shared data-path flags and their environment variables.
#include "cli/data_path_flags.h"

#include <fmt/format.h>

#include "base/env.h"

namespace mw::cli {

void add_data_path_flags(CLI::App& app, DataPathFlags& flags) {
  app.add_flag("--no-tun-offload", flags.no_tun_offload,
               "Plain TUN packets, no virtio-net header offloads (also MESHWARD_NO_TUN_OFFLOAD=1)");
  app.add_flag("--no-udp-gso", flags.no_udp_gso,
               "Never send with UDP segmentation offload (also MESHWARD_NO_UDP_GSO=1)");
  app.add_flag("--no-udp-gro", flags.no_udp_gro,
               "Never receive with UDP GRO (also MESHWARD_NO_UDP_GRO=1)");
  app.add_option("--io", flags.io,
                 "I/O backend of the data path: auto (default; epoll for now, see "
                 "docs/meshward-wg.md), uring (fails if the kernel refuses io_uring) or epoll "
                 "(also MESHWARD_IO=...)");
  app.add_option("--crypto-workers", flags.crypto_workers,
                 "Threads sealing outbound and opening inbound batches, the loop's own "
                 "included: 0 = auto (the online CPUs), 1 = the loop alone (the default) (also "
                 "MESHWARD_CRYPTO_WORKERS=N)")
      ->check(CLI::Range(0, 64));
  app.add_option("--busy-poll", flags.busy_poll_us,
                 "Microseconds the loop keeps looking for packets before it sleeps: fewer "
                 "wake-ups for a spinning core; 0 = off (the default) (also "
                 "MESHWARD_BUSY_POLL=N)")
      ->check(CLI::Range(0, kMaxBusyPollMicros));
}

base::Result<DataPathRequest> resolve_data_path(const DataPathFlags& flags) {
  DataPathRequest r;
  r.tun_offload = !flags.no_tun_offload && !base::env_flag("MESHWARD_NO_TUN_OFFLOAD");
  r.udp_gso = !flags.no_udp_gso && !base::env_flag("MESHWARD_NO_UDP_GSO");
  r.udp_gro = !flags.no_udp_gro && !base::env_flag("MESHWARD_NO_UDP_GRO");
  const char* io_source = flags.io ? "--io" : "MESHWARD_IO";
  r.io = flags.io.value_or(base::env_value("MESHWARD_IO").value_or("auto"));
  if (r.io == "io_uring") r.io = "uring";
  if (r.io != "auto" && r.io != "uring" && r.io != "epoll")
    return base::make_error("{}: '{}' is not one of auto, uring, epoll", io_source, r.io);
  if (flags.crypto_workers) {
    r.crypto_workers = *flags.crypto_workers;
  } else {
    auto n = base::env_int("MESHWARD_CRYPTO_WORKERS", 0, 64);
    if (!n) return n.error();
    if (*n) r.crypto_workers = **n;
  }
  int busy = 0;
  if (flags.busy_poll_us) {
    busy = *flags.busy_poll_us;
  } else {
    auto n = base::env_int("MESHWARD_BUSY_POLL", 0, kMaxBusyPollMicros);
    if (!n) return n.error();
    if (*n) busy = **n;
  }
  r.busy_poll = base::Duration::micros(busy);
  return r;
}

}  // namespace mw::cli
