// SPDX-License-Identifier: Apache-2.0
// Fuzzes AllowedIps with a sequence of inserts, removals and lookups, checked against a list.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "base/ip_address.h"
#include "wireguard/allowed_ips.h"

namespace {

using mw::base::IpAddress;
using mw::base::IpPrefix;

constexpr int kValues = 8;

// The obvious model: a list of (prefix, value), scanned in full, matched with IpPrefix::contains.
struct Model {
  struct Entry {
    IpPrefix prefix;
    int value;
  };
  std::vector<Entry> entries;

  void insert(const IpPrefix& p, int v) {
    for (Entry& e : entries) {
      if (e.prefix == p) {
        e.value = v;
        return;
      }
    }
    entries.push_back({p, v});
  }
  bool remove(const IpPrefix& p, int v) {
    return std::erase_if(entries, [&](const Entry& e) { return e.prefix == p && e.value == v; });
  }
  void remove_by_value(int v) {
    std::erase_if(entries, [&](const Entry& e) { return e.value == v; });
  }
  std::optional<int> lookup(const IpAddress& a) const {
    const Entry* best = nullptr;
    for (const Entry& e : entries) {
      if (e.prefix.contains(a) && (!best || e.prefix.length > best->prefix.length)) best = &e;
    }
    if (!best) return std::nullopt;
    return best->value;
  }
  std::vector<IpPrefix> prefixes_of(int v) const {
    std::vector<IpPrefix> out;
    for (const Entry& e : entries) {
      if (e.value == v) out.push_back(e.prefix);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
};

void check(bool ok) {
  if (!ok) __builtin_trap();
}

// An address drawn from the input. IPv6 addresses take 6 bytes (the top 4 and the last 2, the
// rest zero, so that prefixes share long runs) unless the flag bit asks for all 16.
IpAddress read_address(mw::base::Reader& r, bool v6, bool full) {
  std::array<uint8_t, 16> b{};
  if (!v6) {
    r.copy(std::span(b.data(), 4));
    return IpAddress::v4({b[0], b[1], b[2], b[3]});
  }
  if (full) {
    r.copy(b);
  } else {
    r.copy(std::span(b.data(), 4));
    r.copy(std::span(b.data() + 14, 2));
  }
  return IpAddress::v6(b);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mw::wg::AllowedIps<int> trie;
  Model model;
  mw::base::Reader r(mw::base::Bytes(data, size));
  while (r.remaining() > 0) {
    const uint8_t op = r.u8();
    const bool v6 = op & 0x10;
    const bool full = op & 0x20;
    const int value = (op >> 6) + ((op & 0x08) ? 4 : 0);  // 0..7
    switch (op & 0x07) {
      case 0:
      case 1: {  // insert
        const IpAddress a = read_address(r, v6, full);
        const uint8_t len = uint8_t(r.u8() % (v6 ? 129 : 33));
        if (!r.ok()) break;
        const IpPrefix p = *IpPrefix::make(a, len);
        trie.insert(p, value);
        model.insert(p, value);
        break;
      }
      case 2: {  // remove one prefix, owned or not
        const IpAddress a = read_address(r, v6, full);
        const uint8_t len = uint8_t(r.u8() % (v6 ? 129 : 33));
        if (!r.ok()) break;
        const IpPrefix p = *IpPrefix::make(a, len);
        check(trie.remove(p, value) == model.remove(p, value));
        break;
      }
      case 3:  // remove an inserted prefix by its owner
        if (!model.entries.empty()) {
          const auto e = model.entries[r.u8() % model.entries.size()];
          check(trie.remove(e.prefix, e.value));
          check(model.remove(e.prefix, e.value));
        }
        break;
      case 4:
        trie.remove_by_value(value);
        model.remove_by_value(value);
        break;
      default: {  // lookup
        const IpAddress a = read_address(r, v6, full);
        if (!r.ok()) break;
        check(trie.lookup(a) == model.lookup(a));
        const auto raw = v6 ? trie.lookup_v6(a.data()) : trie.lookup_v4(a.data());
        check(raw == model.lookup(a));
        break;
      }
    }
    check(trie.size() == model.entries.size());
  }
  for (const auto& e : model.entries)
    check(trie.lookup(e.prefix.address) == model.lookup(e.prefix.address));
  for (int v = 0; v < kValues; ++v) check(trie.prefixes_of(v) == model.prefixes_of(v));
  check(trie.node_count() <= (trie.size() ? 2 * trie.size() - 1 : 0));
  for (int v = 0; v < kValues; ++v) trie.remove_by_value(v);
  check(trie.size() == 0 && trie.node_count() == 0);
  return 0;
}
