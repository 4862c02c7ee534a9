// SPDX-License-Identifier: Apache-2.0
// PathManager: the one owner of every peer's endpoint in a node. It hears the engine's reports
// of authenticated sources (a peer that roamed) and the mesh's member endpoints, and is the
// only caller of Device::set_endpoint in node/ besides the operator's own `wg set`. The policy
// today is WireGuard's: the latest authenticated source wins, and a member's announced
// endpoint is taken until the peer is heard from elsewhere. Punched and relayed paths (the NAT
// and relay work) will be decided here; docs/architecture.md says how.
#pragma once

#include <cstdint>
#include <map>

#include "base/ip_address.h"
#include "crypto/keys.h"
#include "dataplane/engine.h"
#include "wireguard/device.h"

namespace mw::node {

class PathManager final : public dp::PathEvents {
 public:
  // Takes over the endpoints of `engine`'s device (the engine outlives this or is told first).
  explicit PathManager(dp::Engine& engine);
  ~PathManager() override;

  // dp::PathEvents: follows the peer to its new source.
  void on_authenticated_source(const crypto::PublicKey& peer,
                               const base::Endpoint& source) override;
  // The endpoint a member announced (the mesh): taken for `peer`.
  void set_member_endpoint(wg::Peer& peer, const base::Endpoint& endpoint);

  // Endpoint changes by cause, for the metrics.
  uint64_t roamed() const { return roamed_; }
  uint64_t announced() const { return announced_; }

 private:
  dp::Engine& engine_;
  uint64_t roamed_ = 0;
  uint64_t announced_ = 0;
};

}  // namespace mw::node
