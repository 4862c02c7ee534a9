// SPDX-License-Identifier: Apache-2.0
// MappingClient: the seam between the PortMapper and the gateway. The system client asks by
// UPnP-IGD and NAT-PMP through os/port_mapping.h and by PCP with nat/pcp.h's codec over
// os::udp_exchange; tests use a fake. Calls block (bounded): the mapper makes them on a thread
// of its own, one at a time, never two at once on one client.
#pragma once

#include <functional>
#include <memory>

#include "base/result.h"
#include "nat/port_mapping.h"

namespace mw::node {

class MappingClient {
 public:
  virtual ~MappingClient() = default;
  // Asks the gateway by `protocol` for UDP to `internal_port` (`suggested_port`, 0 for ours).
  virtual base::Result<nat::PortMapping> map(nat::MappingProtocol protocol, uint16_t internal_port,
                                             uint16_t suggested_port, base::Duration lifetime) = 0;
  virtual base::Result<void> unmap(const nat::PortMapping& mapping) = 0;
};

// The real gateway; `rng` makes PCP's mapping nonce.
std::shared_ptr<MappingClient> make_system_mapping_client(std::function<uint64_t()> rng);

}  // namespace mw::node
