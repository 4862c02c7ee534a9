// SPDX-License-Identifier: Apache-2.0
// Keying a keypair's directions, and keypair slot lookup.
#include "wireguard/keypair.h"

namespace mw::wg {

TransportKey& TransportKey::operator=(const crypto::SymmetricKey& key) {
  key_ = key;
  aead_ = crypto::AeadKey(key_.span());
  return *this;
}

Keypair* Keypairs::find(uint32_t local_index) const {
  for (Keypair* k : {current.get(), next.get(), previous.get()})
    if (k && k->local_index == local_index) return k;
  return nullptr;
}

}  // namespace mw::wg
