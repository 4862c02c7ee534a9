// SPDX-License-Identifier: Apache-2.0
// Tests for AllowedIps: the kernel's allowedips selftest cases and a differential test against
// a naive linear list.
#include "wireguard/allowed_ips.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "base/bytes.h"
#include "base/testing/test_values.h"

namespace mw::wg {
namespace {

using base::IpAddress;
using base::IpPrefix;

IpAddress ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return IpAddress::v4({a, b, c, d}); }
constexpr auto ip6 = base::testing::ipv6_from_words;
IpPrefix pfx(const IpAddress& a, uint8_t len) { return *IpPrefix::make(a, len); }

// Unoptimised (sanitizer) builds run a tenth of the random lookups.
#ifdef NDEBUG
constexpr int kRandomScale = 1;
#else
constexpr int kRandomScale = 10;
#endif

// Peers of the kernel selftest.
enum Peer : int { kA = 1, kB, kC, kD, kE, kF, kG, kH };

class AllowedIpsKernel : public ::testing::Test {
 protected:
  void insert4(Peer p, uint8_t a, uint8_t b, uint8_t c, uint8_t d, uint8_t len) {
    t_.insert(pfx(ip4(a, b, c, d), len), p);
  }
  void insert6(Peer p, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint8_t len) {
    t_.insert(pfx(ip6(a, b, c, d), len), p);
  }
  std::optional<int> get4(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    return t_.lookup(ip4(a, b, c, d));
  }
  std::optional<int> get6(uint32_t a, uint32_t b, uint32_t c, uint32_t d) {
    return t_.lookup(ip6(a, b, c, d));
  }
  AllowedIps<int> t_;
};

TEST_F(AllowedIpsKernel, LongestPrefixMatch) {
  insert4(kA, 192, 168, 4, 0, 24);
  insert4(kB, 192, 168, 4, 4, 32);
  insert4(kC, 192, 168, 0, 0, 16);
  insert4(kD, 192, 95, 5, 64, 27);
  insert4(kC, 192, 95, 5, 65, 27);  // replaces the previous entry; needs maskself
  insert6(kD, 0x26075300, 0x60006b00, 0, 0xc05f0543, 128);
  insert6(kC, 0x26075300, 0x60006b00, 0, 0, 64);
  insert4(kE, 0, 0, 0, 0, 0);
  insert6(kE, 0, 0, 0, 0, 0);
  insert6(kF, 0, 0, 0, 0, 0);  // replaces the previous entry
  insert6(kG, 0x24046800, 0, 0, 0, 32);
  insert6(kH, 0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef, 64);  // needs maskself
  insert6(kA, 0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef, 128);
  insert6(kC, 0x24446800, 0x40e40800, 0xdeaebeef, 0xdefbeef, 128);
  insert6(kB, 0x24446800, 0xf0e40800, 0xeeaebeef, 0, 98);
  insert4(kG, 64, 15, 112, 0, 20);
  insert4(kH, 64, 15, 123, 211, 25);  // needs maskself
  insert4(kA, 10, 0, 0, 0, 25);
  insert4(kB, 10, 0, 0, 128, 25);
  insert4(kA, 10, 1, 0, 0, 30);
  insert4(kB, 10, 1, 0, 4, 30);
  insert4(kC, 10, 1, 0, 8, 29);
  insert4(kD, 10, 1, 0, 16, 29);
  EXPECT_EQ(t_.size(), 21u);  // 23 inserts, two of them replacements
  EXPECT_LT(t_.node_count(), 2 * t_.size());

  EXPECT_EQ(get4(192, 168, 4, 20), kA);
  EXPECT_EQ(get4(192, 168, 4, 0), kA);
  EXPECT_EQ(get4(192, 168, 4, 4), kB);
  EXPECT_EQ(get4(192, 168, 200, 182), kC);
  EXPECT_EQ(get4(192, 95, 5, 68), kC);
  EXPECT_EQ(get4(192, 95, 5, 96), kE);
  EXPECT_EQ(get6(0x26075300, 0x60006b00, 0, 0xc05f0543), kD);
  EXPECT_EQ(get6(0x26075300, 0x60006b00, 0, 0xc02e01ee), kC);
  EXPECT_EQ(get6(0x26075300, 0x60006b01, 0, 0), kF);
  EXPECT_EQ(get6(0x24046800, 0x40040806, 0, 0x1006), kG);
  EXPECT_EQ(get6(0x24046800, 0x40040806, 0x1234, 0x5678), kG);
  EXPECT_EQ(get6(0x240467ff, 0x40040806, 0x1234, 0x5678), kF);
  EXPECT_EQ(get6(0x24046801, 0x40040806, 0x1234, 0x5678), kF);
  EXPECT_EQ(get6(0x24046800, 0x40040800, 0x1234, 0x5678), kH);
  EXPECT_EQ(get6(0x24046800, 0x40040800, 0, 0), kH);
  EXPECT_EQ(get6(0x24046800, 0x40040800, 0x10101010, 0x10101010), kH);
  EXPECT_EQ(get6(0x24046800, 0x40040800, 0xdeadbeef, 0xdeadbeef), kA);
  EXPECT_EQ(get4(64, 15, 116, 26), kG);
  EXPECT_EQ(get4(64, 15, 127, 3), kG);
  EXPECT_EQ(get4(64, 15, 123, 1), kG);
  EXPECT_EQ(get4(64, 15, 123, 128), kH);
  EXPECT_EQ(get4(64, 15, 123, 129), kH);
  EXPECT_EQ(get4(10, 0, 0, 52), kA);
  EXPECT_EQ(get4(10, 0, 0, 220), kB);
  EXPECT_EQ(get4(10, 1, 0, 2), kA);
  EXPECT_EQ(get4(10, 1, 0, 6), kB);
  EXPECT_EQ(get4(10, 1, 0, 10), kC);
  EXPECT_EQ(get4(10, 1, 0, 20), kD);

  // The raw data-path lookups agree.
  const uint8_t v4[4] = {10, 1, 0, 20};
  EXPECT_EQ(t_.lookup_v4(v4), kD);
  const IpAddress a6 = ip6(0x24046800, 0x40040800, 0, 0);
  EXPECT_EQ(t_.lookup_v6(a6.data()), kH);
}

TEST_F(AllowedIpsKernel, RemoveByValueRemovesEveryPrefix) {
  insert4(kA, 1, 0, 0, 0, 32);
  insert4(kA, 64, 0, 0, 0, 32);
  insert4(kA, 128, 0, 0, 0, 32);
  insert4(kA, 192, 0, 0, 0, 32);
  insert4(kA, 255, 0, 0, 0, 32);
  insert4(kB, 255, 0, 0, 1, 32);
  t_.remove_by_value(kA);
  EXPECT_NE(get4(1, 0, 0, 0), kA);
  EXPECT_NE(get4(64, 0, 0, 0), kA);
  EXPECT_NE(get4(128, 0, 0, 0), kA);
  EXPECT_NE(get4(192, 0, 0, 0), kA);
  EXPECT_NE(get4(255, 0, 0, 0), kA);
  EXPECT_EQ(get4(255, 0, 0, 1), kB);
  EXPECT_EQ(t_.size(), 1u);
  EXPECT_EQ(t_.node_count(), 1u);
}

TEST_F(AllowedIpsKernel, SixteenPlusTwentyFourRemovedCleanly) {
  insert4(kA, 192, 168, 0, 0, 16);
  insert4(kA, 192, 168, 0, 0, 24);
  t_.remove_by_value(kA);
  EXPECT_NE(get4(192, 168, 0, 1), kA);
  EXPECT_EQ(t_.size(), 0u);
  EXPECT_EQ(t_.node_count(), 0u);
}

// The kernel frees a node at every one of the 128 bit depths: host routes that differ from
// ff..ff in exactly one bit.
TEST_F(AllowedIpsKernel, EveryBitDepth) {
  std::vector<IpAddress> hosts;
  for (int i = 0; i < 128; ++i) {
    std::array<uint8_t, 16> b;
    b.fill(0xff);
    b[i / 8] = uint8_t(~(0x80 >> (i % 8)));
    hosts.push_back(IpAddress::v6(b));
    t_.insert(pfx(hosts.back(), 128), i);
  }
  EXPECT_EQ(t_.size(), 128u);
  EXPECT_EQ(t_.node_count(), 2 * 128u - 1);
  for (int i = 0; i < 128; ++i) EXPECT_EQ(t_.lookup(hosts[i]), i);
  EXPECT_EQ(t_.lookup(*IpAddress::parse("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")), std::nullopt);
  // Remove from alternating ends so that forks at every depth are compacted.
  for (int i = 0; i < 64; ++i) {
    EXPECT_TRUE(t_.remove(pfx(hosts[i], 128), i));
    EXPECT_TRUE(t_.remove(pfx(hosts[127 - i], 128), 127 - i));
    EXPECT_EQ(t_.node_count(), t_.size() ? 2 * t_.size() - 1 : 0);
  }
  EXPECT_EQ(t_.size(), 0u);
}

TEST_F(AllowedIpsKernel, PrefixesOfListsACanonicalPeer) {
  insert4(kA, 192, 95, 5, 93, 27);
  insert6(kA, 0x26075300, 0x60006b00, 0, 0xc05f0543, 128);
  insert4(kA, 10, 1, 0, 20, 29);
  insert6(kA, 0x26075300, 0x6d8a6bf8, 0xdab1f1df, 0xc05f1523, 83);
  insert6(kA, 0x26075300, 0x6d8a6bf8, 0xdab1f1df, 0xc05f1523, 21);
  insert4(kB, 192, 95, 5, 0, 24);
  const std::vector<IpPrefix> want = {
      IpPrefix{ip4(10, 1, 0, 16), 29},
      IpPrefix{ip4(192, 95, 5, 64), 27},
      IpPrefix{ip6(0x26075000, 0, 0, 0), 21},
      IpPrefix{ip6(0x26075300, 0x60006b00, 0, 0xc05f0543), 128},
      IpPrefix{ip6(0x26075300, 0x6d8a6bf8, 0xdab1e000, 0), 83},
  };
  EXPECT_EQ(t_.prefixes_of(kA), want);
  const std::vector<IpPrefix> want_b = {IpPrefix{ip4(192, 95, 5, 0), 24}};
  EXPECT_EQ(t_.prefixes_of(kB), want_b);
  EXPECT_TRUE(t_.prefixes_of(kC).empty());
}

TEST(AllowedIps, ReinsertMovesThePrefix) {
  AllowedIps<int> t;
  const IpPrefix p = *IpPrefix::parse("10.0.0.0/8");
  t.insert(p, 1);
  t.insert(p, 2);
  EXPECT_EQ(t.size(), 1u);
  EXPECT_TRUE(t.prefixes_of(1).empty());
  EXPECT_EQ(t.prefixes_of(2), std::vector<IpPrefix>{p});
  EXPECT_EQ(t.lookup(*IpAddress::parse("10.9.9.9")), 2);
}

// Each value's own list of prefixes: what a device with 40,000 peers of one /32 each lists
// and replaces per peer (each a walk of the whole table before: quadratic in peers).
TEST(AllowedIps, ManyValuesEachListAndLoseOnlyTheirOwn) {
  AllowedIps<int> t;
  constexpr int kValues = 40'000;
  for (int v = 0; v < kValues; ++v) {
    t.insert(IpPrefix{IpAddress::v4(0x0a000000u + uint32_t(v)), 32}, v);
    if (v % 1000 == 0) t.insert(IpPrefix{IpAddress::v4(0xac100000u + uint32_t(v)), 32}, v);
  }
  EXPECT_EQ(t.size(), size_t(kValues + kValues / 1000));
  for (int v = 0; v < kValues; ++v) {
    const size_t want = v % 1000 == 0 ? 2 : 1;
    ASSERT_EQ(t.count_of(v), want) << v;
    ASSERT_EQ(t.prefixes_of(v).size(), want) << v;
  }
  EXPECT_EQ(t.prefixes_of(7), std::vector<IpPrefix>{*IpPrefix::parse("10.0.0.7/32")});
  // A prefix moving to another value leaves the first value's list.
  t.insert(*IpPrefix::parse("10.0.0.7/32"), 8);
  EXPECT_EQ(t.count_of(7), 0u);
  EXPECT_EQ(t.count_of(8), 2u);
  // Replacing every value's prefixes, as `wg setconf` does.
  for (int v = 0; v < kValues; v += 2) {
    t.remove_by_value(v);
    ASSERT_EQ(t.count_of(v), 0u);
  }
  EXPECT_EQ(t.count_of(9), 1u) << "the others keep theirs";
  EXPECT_EQ(t.lookup(*IpAddress::parse("10.0.0.9")), 9);
  EXPECT_EQ(t.lookup(*IpAddress::parse("10.0.0.10")), std::nullopt);
  t.remove_by_value(12345);  // owns nothing: a no-op
  for (int v = 1; v < kValues; v += 2) t.remove_by_value(v);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.node_count(), 0u);
}

TEST(AllowedIps, RemoveOnlyByTheOwner) {
  AllowedIps<int> t;
  const IpPrefix p = *IpPrefix::parse("fd00::/64");
  const IpPrefix q = *IpPrefix::parse("fd00::/48");
  t.insert(p, 1);
  t.insert(q, 2);
  EXPECT_FALSE(t.remove(p, 2));
  EXPECT_FALSE(t.remove(*IpPrefix::parse("fd00::/56"), 1));
  EXPECT_FALSE(t.remove(*IpPrefix::parse("fd00::/96"), 1));
  EXPECT_FALSE(t.remove(*IpPrefix::parse("10.0.0.0/8"), 1));
  EXPECT_EQ(t.lookup(*IpAddress::parse("fd00::1")), 1);
  EXPECT_TRUE(t.remove(p, 1));
  EXPECT_FALSE(t.remove(p, 1));
  EXPECT_EQ(t.lookup(*IpAddress::parse("fd00::1")), 2);
  EXPECT_TRUE(t.remove(q, 2));
  EXPECT_EQ(t.lookup(*IpAddress::parse("fd00::1")), std::nullopt);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.node_count(), 0u);
}

TEST(AllowedIps, DefaultRoutesAndFamiliesStayApart) {
  AllowedIps<int> t;
  t.insert(*IpPrefix::parse("0.0.0.0/0"), 4);
  EXPECT_EQ(t.lookup(*IpAddress::parse("1.2.3.4")), 4);
  EXPECT_EQ(t.lookup(*IpAddress::parse("::1")), std::nullopt);
  t.insert(*IpPrefix::parse("::/0"), 6);
  EXPECT_EQ(t.lookup(*IpAddress::parse("::1")), 6);
  EXPECT_EQ(t.lookup(*IpAddress::parse("255.255.255.255")), 4);
  EXPECT_EQ(t.lookup(IpAddress()), std::nullopt);
  t.clear();
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(t.lookup(*IpAddress::parse("1.2.3.4")), std::nullopt);
}

TEST(AllowedIps, MalformedPrefixesAreIgnored) {
  AllowedIps<int> t;
  t.insert(IpPrefix{*IpAddress::parse("10.0.0.0"), 33}, 1);
  t.insert(IpPrefix{*IpAddress::parse("fd00::"), 129}, 1);
  t.insert(IpPrefix{IpAddress(), 0}, 1);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.remove(IpPrefix{*IpAddress::parse("10.0.0.0"), 33}, 1));
  // Host bits left set by hand are masked.
  t.insert(IpPrefix{*IpAddress::parse("10.1.2.3"), 8}, 1);
  EXPECT_EQ(t.prefixes_of(1), std::vector<IpPrefix>{*IpPrefix::parse("10.0.0.0/8")});
}

// The kernel's "horrible" reference: a plain list, scanned in full, with byte masks.
class NaiveAllowedIps {
 public:
  void insert(const IpPrefix& p, int value) {
    for (Entry& e : list(p.address)) {
      if (e.prefix == p) {
        e.value = value;
        return;
      }
    }
    Entry e{p, {}, value};
    for (int i = 0; i < 16; ++i) {
      const int bits = std::clamp(int(p.length) - 8 * i, 0, 8);
      e.mask[i] = bits == 0 ? 0 : uint8_t(0xff << (8 - bits));
    }
    list(p.address).push_back(e);
  }
  bool remove(const IpPrefix& p, int value) {
    return std::erase_if(list(p.address),
                         [&](const Entry& e) { return e.prefix == p && e.value == value; }) != 0;
  }
  void remove_by_value(int value) {
    for (auto& l : entries_) std::erase_if(l, [&](const Entry& e) { return e.value == value; });
  }
  std::optional<int> lookup(const IpAddress& a) const {
    const Entry* best = nullptr;
    if (a.empty()) return std::nullopt;
    for (const Entry& e : entries_[a.is_v6()]) {
      bool match = true;
      for (size_t i = 0; i < a.length() && match; ++i) {
        match = (a.data()[i] & e.mask[i]) == e.prefix.address.data()[i];
      }
      if (match && (!best || e.prefix.length > best->prefix.length)) best = &e;
    }
    if (!best) return std::nullopt;
    return best->value;
  }
  std::vector<IpPrefix> prefixes_of(int value) const {
    std::vector<IpPrefix> out;
    for (const auto& l : entries_) {
      for (const Entry& e : l) {
        if (e.value == value) out.push_back(e.prefix);
      }
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::optional<int> owner_of(const IpPrefix& p) {
    for (const Entry& e : list(p.address)) {
      if (e.prefix == p) return e.value;
    }
    return std::nullopt;
  }
  size_t size() const { return entries_[0].size() + entries_[1].size(); }
  const IpPrefix& prefix_at(size_t i) const {
    return i < entries_[0].size() ? entries_[0][i].prefix
                                  : entries_[1][i - entries_[0].size()].prefix;
  }

 private:
  struct Entry {
    IpPrefix prefix;
    std::array<uint8_t, 16> mask;
    int value;
  };
  std::vector<Entry>& list(const IpAddress& a) { return entries_[a.is_v6()]; }
  std::vector<Entry> entries_[2];  // IPv4, IPv6
};

class Differential {
 public:
  static constexpr int kValues = 100;
  static constexpr int kRandomPrefixes = 250;  // per family
  static constexpr int kMutationsEach = 4;     // mutated relatives of each random prefix

  std::mt19937_64 rng{0xa11'0ed'1b5};

  uint64_t uniform(uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
  }
  IpAddress random_address(bool v6) {
    std::array<uint8_t, 16> b{};
    for (auto& x : b) x = uint8_t(rng());
    return v6 ? IpAddress::v6(b) : IpAddress::v4({b[0], b[1], b[2], b[3]});
  }
  // Keeps the first `keep` bits of a and randomises the rest.
  IpAddress mutate(const IpAddress& a, unsigned keep) {
    std::array<uint8_t, 16> b{};
    std::copy(a.data(), a.data() + a.length(), b.begin());
    for (unsigned i = 0; i < a.length(); ++i) {
      const int kept = std::clamp(int(keep) - int(8 * i), 0, 8);
      const uint8_t m = kept == 0 ? 0 : uint8_t(0xff << (8 - kept));
      b[i] = uint8_t((b[i] & m) | (uint8_t(rng()) & ~m));
    }
    return a.is_v6() ? IpAddress::v6(b) : IpAddress::v4({b[0], b[1], b[2], b[3]});
  }
  // Half uniformly random, half inside or just beside an inserted prefix.
  IpAddress query_address(bool v6) {
    if (model.size() == 0 || uniform(0, 1) == 0) return random_address(v6);
    const IpPrefix& p = model.prefix_at(uniform(0, model.size() - 1));
    IpAddress a = mutate(p.address, p.length);
    if (p.length > 0 && uniform(0, 2) == 0) {  // flip one bit inside the prefix
      std::array<uint8_t, 16> b{};
      std::copy(a.data(), a.data() + a.length(), b.begin());
      const unsigned bit = unsigned(uniform(0, p.length - 1));
      b[bit / 8] ^= uint8_t(0x80 >> (bit % 8));
      a = a.is_v6() ? IpAddress::v6(b) : IpAddress::v4({b[0], b[1], b[2], b[3]});
    }
    return a;
  }
  void insert_both(const IpPrefix& p, int value) {
    trie.insert(p, value);
    model.insert(p, value);
  }
  void populate(bool v6) {
    const unsigned bits = v6 ? 128 : 32;
    for (int i = 0; i < kRandomPrefixes; ++i) {
      const IpAddress base = random_address(v6);
      const auto len = uint8_t(uniform(1, bits));
      insert_both(pfx(base, len), int(uniform(1, kValues)));
      for (int j = 0; j < kMutationsEach; ++j) {
        const IpAddress m = mutate(base, unsigned(uniform(0, bits - 1)));
        const auto len = uint8_t(uniform(0, 50) == 0 ? 0 : uniform(1, bits));
        insert_both(pfx(m, len), int(uniform(1, kValues)));
      }
    }
  }
  // Returns the number of lookups compared.
  int compare_lookups(int count) {
    for (int i = 0; i < count; ++i) {
      const IpAddress a = query_address(i & 1);
      const auto want = model.lookup(a);
      const auto got = trie.lookup(a);
      EXPECT_EQ(got, want) << "lookup " << a.to_string();
      if (got != want) return i;
    }
    return count;
  }

  AllowedIps<int> trie;
  NaiveAllowedIps model;
};

TEST(AllowedIps, DifferentialAgainstNaiveList) {
  const auto start = std::chrono::steady_clock::now();
  Differential d;
  d.populate(false);
  d.populate(true);
  ASSERT_EQ(d.trie.size(), d.model.size());
  EXPECT_LT(d.trie.node_count(), 2 * d.trie.size());
  int lookups = d.compare_lookups(100'000 / kRandomScale);

  // Single removals, by the owner and by someone else, and moves to other values.
  for (int i = 0; i < 300; ++i) {
    const IpPrefix p = d.model.prefix_at(d.uniform(0, d.model.size() - 1));
    const int v = int(d.uniform(1, Differential::kValues));
    if (i % 3 == 0) {
      d.insert_both(p, v);
    } else {
      ASSERT_EQ(d.trie.remove(p, v), d.model.remove(p, v));
      // Then remove it for whichever value owns it.
      if (const auto owner = d.model.owner_of(p)) {
        ASSERT_EQ(d.trie.remove(p, *owner + 1), d.model.remove(p, *owner + 1));
        ASSERT_TRUE(d.trie.remove(p, *owner));
        ASSERT_TRUE(d.model.remove(p, *owner));
      }
    }
  }
  ASSERT_EQ(d.trie.size(), d.model.size());
  for (int v = 1; v <= Differential::kValues; ++v) {
    ASSERT_EQ(d.trie.prefixes_of(v), d.model.prefixes_of(v)) << "value " << v;
  }
  lookups += d.compare_lookups(20'000 / kRandomScale);

  // Remove the values one by one, comparing as the trie shrinks; it must end empty.
  std::vector<int> order;
  for (int v = 1; v <= Differential::kValues; ++v) order.push_back(v);
  std::shuffle(order.begin(), order.end(), d.rng);
  for (int v : order) {
    d.trie.remove_by_value(v);
    d.model.remove_by_value(v);
    ASSERT_EQ(d.trie.size(), d.model.size());
    ASSERT_TRUE(d.trie.prefixes_of(v).empty());
    EXPECT_LE(d.trie.node_count(), d.trie.size() ? 2 * d.trie.size() - 1 : 0);
    lookups += d.compare_lookups(500 / kRandomScale);
  }
  EXPECT_EQ(d.trie.size(), 0u);
  EXPECT_EQ(d.trie.node_count(), 0u);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - start)
                      .count();
  std::printf("allowed_ips differential: %d prefixes per family, %d lookups, %lld ms\n",
              Differential::kRandomPrefixes * (1 + Differential::kMutationsEach), lookups,
              static_cast<long long>(ms));
}

}  // namespace
}  // namespace mw::wg
