// SPDX-License-Identifier: Apache-2.0
// Tests for the Internet checksum against RFC 1071's example and a naive word-by-word sum.
#include "dataplane/checksum.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

#include "dataplane/testing/packets.h"

namespace mw::dp {
namespace {

using testing::naive_sum;

TEST(Checksum, Rfc1071Example) {
  // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
  const std::vector<uint8_t> data = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum_fold(checksum_partial(data, 0)), 0xddf2);
  EXPECT_EQ(checksum_finish(checksum_partial(data, 0)), 0x220d);
}

TEST(Checksum, EmptyAndOddLengths) {
  EXPECT_EQ(checksum_fold(checksum_partial({}, 0)), 0);
  const std::vector<uint8_t> one = {0xab};
  EXPECT_EQ(checksum_fold(checksum_partial(one, 0)), 0xab00);
  const std::vector<uint8_t> three = {0x01, 0x02, 0x03};
  EXPECT_EQ(checksum_fold(checksum_partial(three, 0)), 0x0402);
}

TEST(Checksum, MatchesNaiveSumOnRandomData) {
  std::mt19937 rng(1071);
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<uint8_t> data(rng() % 1600);
    for (auto& b : data) b = uint8_t(rng());
    if (iter % 7 == 0) std::fill(data.begin(), data.end(), 0xff);  // maximal carries
    const uint32_t initial = iter % 3 == 0 ? 0 : rng() & 0x3ffff;
    const uint16_t folded_initial = checksum_fold(initial);
    ASSERT_EQ(checksum_fold(checksum_partial(data, initial)),
              checksum_fold(uint32_t(naive_sum(data)) + folded_initial))
        << "length " << data.size();
  }
}

// The vector loop (when the CPU has AVX2) against the scalar one: every length to 600 at every
// alignment in a 32-byte window, random lengths to 70 KB, and maximal carries over 3 MB, past
// the point where its 32-bit lanes must be emptied.
TEST(Checksum, VectorLoopMatchesScalar) {
  std::mt19937 rng(4);
  std::vector<uint8_t> data(3 * 1024 * 1024 + 64);
  for (auto& b : data) b = uint8_t(rng());
  const base::Bytes all(data);
  for (size_t len = 0; len <= 600; ++len) {
    for (size_t align = 0; align < 32; ++align) {
      const base::Bytes part = all.subspan(align, len);
      const uint32_t initial = uint32_t(len * 977);
      ASSERT_EQ(checksum_fold(checksum_partial(part, initial)),
                checksum_fold(checksum_partial_scalar(part, initial)))
          << len << " at " << align;
    }
  }
  for (int i = 0; i < 300; ++i) {
    const base::Bytes part = all.subspan(rng() % 64, rng() % 70000);
    ASSERT_EQ(checksum_fold(checksum_partial(part, 0)),
              checksum_fold(checksum_partial_scalar(part, 0)));
  }
  std::fill(data.begin(), data.end(), 0xff);
  for (size_t len : {size_t(65536), size_t(1) << 20, (size_t(1) << 20) + 32, data.size() - 2}) {
    const base::Bytes part = all.first(len);
    EXPECT_EQ(checksum_fold(checksum_partial(part, 0)),
              checksum_fold(checksum_partial_scalar(part, 0)))
        << len;
    EXPECT_EQ(checksum_fold(checksum_partial(part, 0)), 0xffff) << len;
  }
}

TEST(Checksum, ComposesOverEvenChunks) {
  std::mt19937 rng(7);
  for (int iter = 0; iter < 500; ++iter) {
    std::vector<uint8_t> data(rng() % 3000 + 2);
    for (auto& b : data) b = uint8_t(rng());
    const size_t cut = (rng() % data.size()) & ~size_t(1);
    const base::Bytes all(data);
    const uint32_t whole = checksum_partial(all, 0);
    const uint32_t parts = checksum_partial(all.subspan(cut), checksum_partial(all.first(cut), 0));
    ASSERT_EQ(checksum_fold(whole), checksum_fold(parts));
  }
}

TEST(Checksum, PseudoHeadersMatchNaive) {
  testing::IpSpec v4;
  const std::vector<uint8_t> ph4 = testing::naive_pseudo_header(v4, kIpProtoTcp, 1234);
  EXPECT_EQ(checksum_fold(pseudo_header_sum_v4(v4.src, v4.dst, kIpProtoTcp, 1234)), naive_sum(ph4));
  testing::IpSpec v6;
  v6.v6 = true;
  for (int i = 0; i < 16; ++i) {
    v6.src[i] = uint8_t(0xf0 + i);
    v6.dst[i] = uint8_t(0x11 * i);
  }
  const std::vector<uint8_t> ph6 = testing::naive_pseudo_header(v6, kIpProtoUdp, 70000);
  EXPECT_EQ(checksum_fold(pseudo_header_sum_v6(v6.src, v6.dst, kIpProtoUdp, 70000)),
            naive_sum(ph6));
}

TEST(Checksum, Ipv4HeaderChecksumIgnoresTheField) {
  testing::IpSpec ip;
  ip.options = {1, 1, 1, 0};
  const std::vector<uint8_t> p = testing::build_udp(ip, 1, 2, {9, 9, 9});
  const base::Bytes header = base::Bytes(p).first(24);
  EXPECT_EQ(ipv4_header_checksum(header), uint16_t(p[10] << 8 | p[11]));
}

}  // namespace
}  // namespace mw::dp
