// SPDX-License-Identifier: Apache-2.0
// The one conversion from the command line's data-path settings (cli::DataPathRequest, parsed
// by cli/data_path_flags.h for both programs) to the node's (node::DataPathOptions).
#pragma once

#include "cli/data_path_flags.h"
#include "node/wg_interface.h"

namespace mw::app {

inline node::DataPathOptions data_path_options(const cli::DataPathRequest& r) {
  node::DataPathOptions o;
  o.tun_offload = r.tun_offload;
  o.udp_gso = r.udp_gso;
  o.udp_gro = r.udp_gro;
  o.io = dp::parse_io_mode(r.io).value_or(dp::IoMode::kAuto);  // checked by the parser
  o.crypto_workers = r.crypto_workers;
  o.busy_poll = r.busy_poll;
  return o;
}

}  // namespace mw::app
