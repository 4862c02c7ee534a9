// SPDX-License-Identifier: Apache-2.0
// PairKeyCache: the pair keys of identities that are not members (yet, or any more), so that
// datagrams claiming an identity we trust cost its X25519 once, not once per datagram (a flood
// claiming an offline trusted node from rotating sources cost one X25519 each: 72,722 in 8 s).
// Bounded: when full, the oldest entry goes.
#pragma once

#include <cstddef>
#include <deque>
#include <unordered_map>

#include "crypto/keys.h"
#include "discovery/pair_key.h"

namespace mw::swim {

class PairKeyCache {
 public:
  explicit PairKeyCache(size_t capacity = 16384) : capacity_(capacity == 0 ? 1 : capacity) {}

  const PairKey* find(const crypto::PublicKey& id) const {
    auto it = keys_.find(id);
    return it == keys_.end() ? nullptr : &it->second;
  }
  const PairKey& insert(const crypto::PublicKey& id, const PairKey& key);
  size_t size() const { return keys_.size(); }

 private:
  struct Hash {
    size_t operator()(const crypto::PublicKey& k) const;
  };
  size_t capacity_;
  std::unordered_map<crypto::PublicKey, PairKey, Hash> keys_;
  std::deque<crypto::PublicKey> order_;  // oldest first
};

}  // namespace mw::swim
