// SPDX-License-Identifier: Apache-2.0
// The life of the meshward-wg process: daemonize (or not), create the interface, signal
// readiness to the launching process, serve.
#include <fmt/format.h>

#include <optional>

#include "base/log.h"
#include "node/wg_interface.h"
#include "os/process.h"

namespace mw::node {

int run_wg_daemon(const WgInterfaceOptions& options, bool foreground, bool keep_stderr) {
  std::optional<os::Daemon> daemon;
  if (!foreground) {
    auto d = os::Daemon::start();  // the launching process waits in here, then exits
    if (!d) {
      fmt::print(stderr, "error: {}\n", d.error().message());
      return 1;
    }
    daemon = std::move(*d);
  }
  auto iface = WgInterface::create(options);
  if (!iface) {
    fmt::print(stderr, "error: {}\n", iface.error().message());
    return 1;
  }
  if (daemon) daemon->ready(keep_stderr);
  auto r = (*iface)->run();
  if (!r) {
    MW_LOG_ERROR("{}", r.error().message());
    return 1;
  }
  return 0;
}

}  // namespace mw::node
