// SPDX-License-Identifier: Apache-2.0
#include "discovery/pair_key_cache.h"

#include <cstring>

namespace mw::swim {

size_t PairKeyCache::Hash::operator()(const crypto::PublicKey& k) const {
  size_t h;  // public keys are uniform: their first bytes are a fine hash
  std::memcpy(&h, k.data(), sizeof(h));
  return h;
}

const PairKey& PairKeyCache::insert(const crypto::PublicKey& id, const PairKey& key) {
  auto [it, inserted] = keys_.insert_or_assign(id, key);
  if (inserted) {
    order_.push_back(id);
    if (keys_.size() > capacity_) {
      keys_.erase(order_.front());  // never `id`: it is the newest
      order_.pop_front();
    }
  }
  return keys_.find(id)->second;
}

}  // namespace mw::swim
