// SPDX-License-Identifier: Apache-2.0
// Keypair slot lookup.
#include "wireguard/keypair.h"

namespace mw::wg {

Keypair* Keypairs::find(uint32_t local_index) const {
  for (Keypair* k : {current.get(), next.get(), previous.get()})
    if (k && k->local_index == local_index) return k;
  return nullptr;
}

}  // namespace mw::wg
