// SPDX-License-Identifier: Apache-2.0
// run_mesh: the foreground life of `meshward up`: the interface, with the mesh daemon as a
// subsystem of its loop.
#include <fmt/format.h>

#include "base/clock.h"
#include "base/log.h"
#include "crypto/random.h"
#include "node/mesh_daemon.h"
#include "node/nat_service.h"
#include "node/port_mapper.h"
#include "node/port_mapping_client.h"
#include "node/wg_interface.h"
#include "os/local_addresses.h"
#include "os/resolve.h"

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
  NatOptions nat_options;
  nat_options.stun = options.stun;
  nat_options.exclude = {options.prefixes.v4, options.prefixes.v6};
  NatService nat(
      std::move(nat_options),
      [] { return (uint64_t(crypto::random_u32()) << 32) | crypto::random_u32(); }, os::resolve,
      [] {
        auto local = os::local_addresses();
        if (!local) MW_LOG_WARN("local addresses: {}", local.error().message());
        return local ? *local : std::vector<base::IpAddress>{};
      });
  PortMapperOptions mapper_options;
  auto protocols = port_mapping_protocols(options.port_mapping);
  if (!protocols) {
    fmt::print(stderr, "error: port mapping '{}': expected auto, upnp, natpmp, pcp or off\n",
               options.port_mapping);
    return 1;
  }
  mapper_options.protocols = std::move(*protocols);
  PortMapper mapper(std::move(mapper_options), make_system_mapping_client([] {
                      return (uint64_t(crypto::random_u32()) << 32) | crypto::random_u32();
                    }),
                    nat);
  MeshDaemon mesh(std::move(options), clock.now(), clock.wall());
  auto iface = WgInterface::create(wg);
  if (!iface) {
    fmt::print(stderr, "error: {}\n", iface.error().message());
    return 1;
  }
  mesh.set_data_path((*iface)->data_path());
  mesh.set_nat(&nat);
  if (auto r = nat.start((*iface)->loop(), clock.now()); !r) {
    fmt::print(stderr, "error: {}\n", r.error().message());
    return 1;
  }
  if (auto r = mesh.start((*iface)->loop(), (*iface)->paths(), clock.now()); !r) {
    fmt::print(stderr, "error: {}\n", r.error().message());
    return 1;
  }
  mapper.start((*iface)->loop(), clock.now());
  auto r = (*iface)->run();
  if (!r) {
    MW_LOG_ERROR("{}", r.error().message());
    return 1;
  }
  MW_LOG_INFO("meshward stopped");
  return 0;
}

}  // namespace mw::node
