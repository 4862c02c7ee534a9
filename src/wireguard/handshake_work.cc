// SPDX-License-Identifier: Apache-2.0
#include "wireguard/handshake_work.h"

namespace mw::wg {

void HandshakeWork::compute() {
  computed = false;
  if (type == MessageType::kInitiation) {
    Initiation msg;
    computed = decode(message(), &msg) && compute_initiation_dh(local, msg, &initiation_dh);
  } else if (type == MessageType::kResponse) {
    Response msg;
    computed = decode(message(), &msg) &&
               compute_response_dh(local, initiation_ephemeral, msg, &response_dh);
  }
  // The keys it was given are not needed again.
  local.private_key.wipe();
  initiation_ephemeral.wipe();
}

}  // namespace mw::wg
