// SPDX-License-Identifier: Apache-2.0
// IndexTable: the receiver indices this device hands out, each mapped to its owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <utility>

#include "crypto/random.h"

namespace mw::wg {

// Every handshake and keypair gets a random 32-bit sender_index that the peer echoes back as
// receiver_index; this table maps it to a value (a handshake or keypair handle). Indices are
// drawn at random, so they reveal nothing about how many sessions exist, and an index in use is
// never handed out twice.
//
// Not thread-safe: the caller serialises access.
template <class V>
class IndexTable {
 public:
  using Rng = std::function<uint32_t()>;

  explicit IndexTable(Rng rng = crypto::random_u32) : rng_(std::move(rng)) {}

  // Draws indices until one is not in use, and maps it to value.
  uint32_t insert(V value) {
    for (;;) {
      const uint32_t index = rng_();
      if (map_.try_emplace(index, std::move(value)).second) return index;
    }
  }

  std::optional<V> lookup(uint32_t index) const {
    auto it = map_.find(index);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }

  // Frees index; false when it was not in use.
  bool remove(uint32_t index) { return map_.erase(index) != 0; }

  // Points an index in use at another value (a handshake becoming a keypair keeps its index);
  // false when the index is not in use.
  bool replace(uint32_t index, V value) {
    auto it = map_.find(index);
    if (it == map_.end()) return false;
    it->second = std::move(value);
    return true;
  }

  size_t size() const { return map_.size(); }

 private:
  Rng rng_;
  std::unordered_map<uint32_t, V> map_;
};

}  // namespace mw::wg
