// SPDX-License-Identifier: Apache-2.0
// AllowedIps: WireGuard's cryptokey routing table, a longest-prefix-match trie per address family.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"

namespace mw::wg {
namespace allowed_ips_detail {

// An address or prefix as a 128-bit number, most significant bit first. IPv4 uses the top 32
// bits of hi and leaves the rest zero.
struct Key {
  uint64_t hi = 0;
  uint64_t lo = 0;
};

inline Key key_v4(const uint8_t* a) { return {uint64_t{base::load_u32be(a)} << 32, 0}; }
inline Key key_v6(const uint8_t* a) {
  return {uint64_t{base::load_u32be(a)} << 32 | base::load_u32be(a + 4),
          uint64_t{base::load_u32be(a + 8)} << 32 | base::load_u32be(a + 12)};
}
inline uint64_t mask_hi(unsigned len) {
  return len == 0 ? 0 : len >= 64 ? ~uint64_t{0} : ~uint64_t{0} << (64 - len);
}
inline uint64_t mask_lo(unsigned len) {
  return len <= 64 ? 0 : len >= 128 ? ~uint64_t{0} : ~uint64_t{0} << (128 - len);
}
inline Key masked(const Key& k, unsigned len) { return {k.hi & mask_hi(len), k.lo & mask_lo(len)}; }
// True when the first len bits of a and b are equal.
inline bool same_prefix(const Key& a, const Key& b, unsigned len) {
  return ((a.hi ^ b.hi) & mask_hi(len)) == 0 && ((a.lo ^ b.lo) & mask_lo(len)) == 0;
}
// Bit i (0 = most significant) of k; i < 128.
inline unsigned bit_at(const Key& k, unsigned i) {
  return i < 64 ? unsigned(k.hi >> (63 - i)) & 1 : unsigned(k.lo >> (127 - i)) & 1;
}
// Number of leading bits a and b share.
inline unsigned common_bits(const Key& a, const Key& b) {
  if (uint64_t x = a.hi ^ b.hi) return unsigned(std::countl_zero(x));
  if (uint64_t x = a.lo ^ b.lo) return 64 + unsigned(std::countl_zero(x));
  return 128;
}
inline base::IpPrefix to_prefix(const Key& k, unsigned len, bool v6) {
  base::IpPrefix p;
  p.length = uint8_t(len);
  if (!v6) {
    p.address = base::IpAddress::v4(uint32_t(k.hi >> 32));
  } else {
    std::array<uint8_t, 16> b{};
    for (int i = 0; i < 8; ++i) {
      b[i] = uint8_t(k.hi >> (56 - 8 * i));
      b[8 + i] = uint8_t(k.lo >> (56 - 8 * i));
    }
    p.address = base::IpAddress::v6(b);
  }
  return p;
}

}  // namespace allowed_ips_detail

// Maps IP prefixes to values (a peer id in the device) and answers longest-prefix-match
// lookups, as the kernel's allowedips.c does. Each family has its own path-compressed binary
// trie: a node holds a whole prefix, and a node without a value always has two children, so
// the trie has fewer than 2 * size() nodes and a lookup visits at most 33 (IPv4) or 129 (IPv6).
//
// Each value also knows its own prefixes (a list of its nodes, each node knowing its place in
// it), so listing or removing one value's prefixes costs O(its prefixes × depth), not a walk
// of the whole table: with 40,000 peers that was quadratic.
//
// V is a small copyable, hashable value compared with ==. Not thread-safe: the control path
// builds and edits a table, and the data path reads an immutable snapshot of it.
template <class V>
class AllowedIps {
 public:
  AllowedIps() = default;
  AllowedIps(AllowedIps&&) noexcept = default;
  AllowedIps& operator=(AllowedIps&&) noexcept = default;

  // Routes p to value; a prefix that already had a value moves to this one. Host bits are
  // ignored. A prefix without a family, or longer than its family, is ignored.
  void insert(const base::IpPrefix& p, V value) {
    Slot* root = root_for(p);
    if (!root) return;
    insert_key(*root, key_of(p), p.length, root == &root6_, std::move(value));
  }

  // Removes p only if value owns it; returns whether it did.
  bool remove(const base::IpPrefix& p, const V& value) {
    Slot* root = root_for(p);
    return root && remove_key(*root, key_of(p), p.length, value);
  }

  // Removes every prefix value owns.
  void remove_by_value(const V& value) {
    // Each removal takes the node out of the value's list (the last entry fills its place; the
    // list goes when it empties), so take them from the end.
    for (auto it = by_value_.find(value); it != by_value_.end(); it = by_value_.find(value)) {
      const Node* n = it->second.back();
      remove_key(n->v6 ? root6_ : root4_, Key(n->key), n->len, value);
    }
  }

  std::optional<V> lookup(const base::IpAddress& a) const {
    if (a.is_v4()) return lookup_v4(a.data());
    if (a.is_v6()) return lookup_v6(a.data());
    return std::nullopt;
  }
  // Data-path variants: addr4 points at 4 bytes, addr16 at 16 bytes, in network order.
  std::optional<V> lookup_v4(const uint8_t* addr4) const {
    return find(root4_.get(), allowed_ips_detail::key_v4(addr4), 32);
  }
  std::optional<V> lookup_v6(const uint8_t* addr16) const {
    return find(root6_.get(), allowed_ips_detail::key_v6(addr16), 128);
  }

  // The prefixes value owns, sorted (IPv4 first).
  std::vector<base::IpPrefix> prefixes_of(const V& value) const {
    std::vector<base::IpPrefix> out;
    auto it = by_value_.find(value);
    if (it == by_value_.end()) return out;
    out.reserve(it->second.size());
    for (const Node* n : it->second)
      out.push_back(allowed_ips_detail::to_prefix(n->key, n->len, n->v6));
    std::sort(out.begin(), out.end());
    return out;
  }
  // Number of prefixes value owns.
  size_t count_of(const V& value) const {
    auto it = by_value_.find(value);
    return it == by_value_.end() ? 0 : it->second.size();
  }

  // Number of prefixes.
  size_t size() const { return size_; }
  // Number of trie nodes, prefixes plus forks (for tests and memory figures).
  size_t node_count() const { return count_nodes(root4_.get()) + count_nodes(root6_.get()); }
  void clear() {
    root4_.reset();
    root6_.reset();
    by_value_.clear();
    size_ = 0;
  }

 private:
  using Key = allowed_ips_detail::Key;
  struct Node;
  using Slot = std::unique_ptr<Node>;
  struct Node {
    Key key;  // masked to len bits
    uint8_t len = 0;
    bool v6 = false;
    std::optional<V> value;    // empty for a fork
    uint32_t owner_index = 0;  // with a value: its place in by_value_[*value]
    Slot child[2];
  };

  // The family's root, or null for a prefix without a family or longer than its family.
  Slot* root_for(const base::IpPrefix& p) {
    if (p.address.is_v4() && p.length <= 32) return &root4_;
    if (p.address.is_v6() && p.length <= 128) return &root6_;
    return nullptr;
  }
  static Key key_of(const base::IpPrefix& p) {
    Key k = p.address.is_v4() ? allowed_ips_detail::key_v4(p.address.data())
                              : allowed_ips_detail::key_v6(p.address.data());
    return allowed_ips_detail::masked(k, p.length);
  }
  static Slot make_node(const Key& key, unsigned len, bool v6) {
    Slot n = std::make_unique<Node>();
    n->key = allowed_ips_detail::masked(key, len);
    n->len = uint8_t(len);
    n->v6 = v6;
    return n;
  }

  // Gives n (which has no value) to `value`.
  void own(Node* n, V value) {
    std::vector<Node*>& list = by_value_[value];
    n->owner_index = uint32_t(list.size());
    list.push_back(n);
    n->value = std::move(value);
  }
  // Takes n's value away (n has one).
  void disown(Node* n) {
    auto it = by_value_.find(*n->value);
    std::vector<Node*>& list = it->second;
    Node* last = list.back();
    list[n->owner_index] = last;
    last->owner_index = n->owner_index;
    list.pop_back();
    if (list.empty()) by_value_.erase(it);
    n->value.reset();
  }

  void insert_key(Slot& root, const Key& key, unsigned len, bool v6, V value) {
    using allowed_ips_detail::bit_at;
    Slot* slot = &root;
    while (Node* n = slot->get()) {
      const unsigned common =
          std::min({allowed_ips_detail::common_bits(key, n->key), len, unsigned{n->len}});
      if (common == n->len) {
        if (n->len == len) {  // the same prefix: it moves to the new value
          if (!n->value) {
            ++size_;
          } else if (*n->value == value) {
            return;
          } else {
            disown(n);
          }
          own(n, std::move(value));
          return;
        }
        slot = &n->child[bit_at(key, n->len)];
        continue;
      }
      // n's prefix does not contain the new one: put a node above n.
      Slot old = std::move(*slot);
      if (common == len) {  // the new prefix contains n's
        Slot fresh = make_node(key, len, v6);
        own(fresh.get(), std::move(value));
        fresh->child[bit_at(old->key, len)] = std::move(old);
        *slot = std::move(fresh);
      } else {  // they part at bit `common`: a fork holds both
        Slot fork = make_node(key, common, v6);
        const unsigned side = bit_at(key, common);
        fork->child[side] = make_node(key, len, v6);
        own(fork->child[side].get(), std::move(value));
        fork->child[side ^ 1] = std::move(old);
        *slot = std::move(fork);
      }
      ++size_;
      return;
    }
    *slot = make_node(key, len, v6);
    own(slot->get(), std::move(value));
    ++size_;
  }

  // Drops a node that no longer needs to exist: no value and fewer than two children.
  static void compact(Slot& slot) {
    Node* n = slot.get();
    if (n->value || (n->child[0] && n->child[1])) return;
    Slot only = std::move(n->child[0] ? n->child[0] : n->child[1]);
    slot = std::move(only);
  }

  bool remove_key(Slot& slot, const Key& key, unsigned len, const V& value) {
    Node* n = slot.get();
    if (!n || n->len > len || !allowed_ips_detail::same_prefix(key, n->key, n->len)) return false;
    if (n->len == len) {
      if (!n->value || !(*n->value == value)) return false;
      disown(n);
      --size_;
    } else if (!remove_key(n->child[allowed_ips_detail::bit_at(key, n->len)], key, len, value)) {
      return false;
    }
    compact(slot);
    return true;
  }

  static std::optional<V> find(const Node* n, const Key& key, unsigned bits) {
    const Node* best = nullptr;
    while (n && allowed_ips_detail::same_prefix(key, n->key, n->len)) {
      if (n->value) best = n;
      if (n->len >= bits) break;
      n = n->child[allowed_ips_detail::bit_at(key, n->len)].get();
    }
    if (!best) return std::nullopt;
    return best->value;
  }

  static size_t count_nodes(const Node* n) {
    return n ? 1 + count_nodes(n->child[0].get()) + count_nodes(n->child[1].get()) : 0;
  }

  Slot root4_;
  Slot root6_;
  std::unordered_map<V, std::vector<Node*>> by_value_;  // each value's nodes
  size_t size_ = 0;
};

}  // namespace mw::wg
