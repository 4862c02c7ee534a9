// SPDX-License-Identifier: Apache-2.0
// PathManager: endpoints decided in one place.
#include "node/path_manager.h"

namespace mw::node {

PathManager::PathManager(dp::Engine& engine) : engine_(engine) { engine_.set_path_events(this); }

PathManager::~PathManager() { engine_.set_path_events(nullptr); }

void PathManager::on_authenticated_source(const crypto::PublicKey& peer,
                                          const base::Endpoint& source) {
  wg::Peer* p = engine_.device().find_peer(peer);
  if (!p) return;
  engine_.device().set_endpoint(*p, source);
  ++roamed_;
}

void PathManager::set_member_endpoint(wg::Peer& peer, const base::Endpoint& endpoint) {
  if (peer.endpoint && *peer.endpoint == endpoint) return;
  engine_.device().set_endpoint(peer, endpoint);
  ++announced_;
}

}  // namespace mw::node
