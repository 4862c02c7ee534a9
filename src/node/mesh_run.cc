// SPDX-License-Identifier: Apache-2.0
// run_mesh: the foreground life of `meshward up`: the interface, with the mesh daemon as a
// subsystem of its loop.
#include <fmt/format.h>

#include "base/clock.h"
#include "base/log.h"
#include "node/mesh_daemon.h"
#include "node/wg_interface.h"

namespace mw::node {

int run_mesh(MeshOptions options) {
  base::SystemClock& clock = base::SystemClock::instance();
  WgInterfaceOptions wg;
  wg.name = options.interface;
  wg.mtu = options.mtu;
  wg.listen_port = options.port;
  wg.tun = !options.gossip_only;
  wg.uapi_read_only = true;  // the mesh owns the peers and the port
  wg.data_path = options.data_path;
  MeshDaemon mesh(std::move(options), clock.now(), clock.wall());
  auto iface = WgInterface::create(wg);
  if (!iface) {
    fmt::print(stderr, "error: {}\n", iface.error().message());
    return 1;
  }
  mesh.set_data_path((*iface)->data_path());
  if (auto r = mesh.start((*iface)->loop(), (*iface)->paths(), clock.now()); !r) {
    fmt::print(stderr, "error: {}\n", r.error().message());
    return 1;
  }
  auto r = (*iface)->run();
  if (!r) {
    MW_LOG_ERROR("{}", r.error().message());
    return 1;
  }
  MW_LOG_INFO("meshward stopped");
  return 0;
}

}  // namespace mw::node
