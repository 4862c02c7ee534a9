// SPDX-License-Identifier: Apache-2.0
// The data-path flags that meshward-wg and `meshward up` share, with their environment
// variables, parsed in one place: --no-tun-offload, --no-udp-gso, --no-udp-gro, --io,
// --crypto-workers, --busy-poll (MESHWARD_NO_TUN_OFFLOAD, ..., MESHWARD_BUSY_POLL). A flag wins
// over its variable; a variable wins over the default.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>

#include "base/result.h"
#include "base/time.h"

namespace mw::cli {

// What the command line said (unset: look at the environment).
struct DataPathFlags {
  bool no_tun_offload = false;
  bool no_udp_gso = false;
  bool no_udp_gro = false;
  std::optional<std::string> io;
  std::optional<int> crypto_workers;
  std::optional<int> busy_poll_us;
};

// The settings, resolved and checked.
struct DataPathRequest {
  bool tun_offload = true;
  bool udp_gso = true;
  bool udp_gro = true;
  std::string io = "auto";  // "auto", "uring" or "epoll"
  int crypto_workers = 1;   // threads, the loop's included; 0: the online CPUs
  base::Duration busy_poll = base::Duration::zero();
};

// The longest spin before sleeping that --busy-poll takes: 10 ms.
constexpr int kMaxBusyPollMicros = 10000;

// Adds the six options, with their help, to `app`; they fill `flags`.
void add_data_path_flags(CLI::App& app, DataPathFlags& flags);
// Flags, then the environment, then the defaults. An error names the flag or variable.
base::Result<DataPathRequest> resolve_data_path(const DataPathFlags& flags);

}  // namespace mw::cli
