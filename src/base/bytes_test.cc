// SPDX-License-Identifier: Apache-2.0
// Tests for the Reader and Writer byte cursors: round trips and sticky failure past the end.
#include "base/bytes.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace mw::base {
namespace {

TEST(Bytes, WriterThenReaderRoundTrip) {
  std::array<uint8_t, 64> buf{};
  Writer w(buf);
  w.u8(0xab);
  w.u16be(0x1234);
  w.u16le(0x1234);
  w.u32be(0xdeadbeef);
  w.u32le(0xdeadbeef);
  w.u64be(0x0102030405060708ull);
  w.u64le(0x0102030405060708ull);
  const uint8_t tail[] = {9, 8, 7};
  w.bytes(tail);
  w.zeros(2);
  MutableBytes r = w.reserve(3);
  ASSERT_EQ(r.size(), 3u);
  r[0] = 0x11;
  r[1] = 0x22;
  r[2] = 0x33;
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.length(), 1u + 2 + 2 + 4 + 4 + 8 + 8 + 3 + 2 + 3);
  EXPECT_EQ(w.remaining(), buf.size() - w.length());
  EXPECT_EQ(w.written().data(), buf.data());
  EXPECT_EQ(w.written().size(), w.length());

  // Byte order on the wire.
  const std::vector<uint8_t> expected_prefix = {
      0xab, 0x12, 0x34, 0x34, 0x12, 0xde, 0xad, 0xbe, 0xef, 0xef, 0xbe, 0xad, 0xde,
      1,    2,    3,    4,    5,    6,    7,    8,    8,    7,    6,    5,    4,
      3,    2,    1,    9,    8,    7,    0,    0,    0x11, 0x22, 0x33};
  EXPECT_EQ(std::vector<uint8_t>(buf.begin(), buf.begin() + long(expected_prefix.size())),
            expected_prefix);

  Reader rd(w.written());
  EXPECT_EQ(rd.u8(), 0xab);
  EXPECT_EQ(rd.u16be(), 0x1234);
  EXPECT_EQ(rd.u16le(), 0x1234);
  EXPECT_EQ(rd.u32be(), 0xdeadbeefu);
  EXPECT_EQ(rd.u32le(), 0xdeadbeefu);
  EXPECT_EQ(rd.u64be(), 0x0102030405060708ull);
  EXPECT_EQ(rd.u64le(), 0x0102030405060708ull);
  std::array<uint8_t, 3> got{};
  rd.copy(got);
  EXPECT_EQ(got, (std::array<uint8_t, 3>{9, 8, 7}));
  rd.skip(2);
  Bytes v = rd.view(3);
  ASSERT_EQ(v.size(), 3u);
  EXPECT_EQ(v.data(), buf.data() + rd.position() - 3);  // a view aliases the input
  EXPECT_EQ(v[2], 0x33);
  EXPECT_TRUE(rd.at_end());
  EXPECT_EQ(rd.remaining(), 0u);
  EXPECT_TRUE(rd.ok());
  EXPECT_TRUE(rd.rest().empty());
  EXPECT_TRUE(rd.ok());
}

TEST(Bytes, ReaderRestTakesEverythingLeft) {
  const uint8_t data[] = {1, 2, 3, 4, 5};
  Reader r(data);
  r.skip(2);
  Bytes rest = r.rest();
  ASSERT_EQ(rest.size(), 3u);
  EXPECT_EQ(rest[0], 3);
  EXPECT_TRUE(r.at_end());
  EXPECT_TRUE(r.ok());
}

TEST(Bytes, ReaderPastEndFailsStickyAndReadsZeros) {
  const uint8_t data[] = {1, 2, 3};
  Reader r(data);
  EXPECT_EQ(r.u16be(), 0x0102);
  EXPECT_EQ(r.u16be(), 0);  // one byte left: fails
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(r.at_end());
  EXPECT_EQ(r.remaining(), 0u);
  // Sticky: even a read that would have fit fails now, and returns zero.
  EXPECT_EQ(r.u8(), 0);
  EXPECT_FALSE(r.ok());
  std::array<uint8_t, 1> one = {0xff};
  r.copy(one);
  EXPECT_EQ(one[0], 0);
  EXPECT_TRUE(r.view(0).empty());
  EXPECT_TRUE(r.rest().empty());
  EXPECT_FALSE(r.ok());
}

TEST(Bytes, EveryReadPastEndReturnsZero) {
  // Each read is tried with one byte too few; the result must be zero, not a partial value.
  const uint8_t data[8] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  {
    Reader r(Bytes(data, 0));
    EXPECT_EQ(r.u8(), 0);
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(Bytes(data, 1));
    EXPECT_EQ(r.u16be(), 0);
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(Bytes(data, 1));
    EXPECT_EQ(r.u16le(), 0);
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(Bytes(data, 3));
    EXPECT_EQ(r.u32be(), 0u);
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(Bytes(data, 3));
    EXPECT_EQ(r.u32le(), 0u);
    EXPECT_FALSE(r.ok());
  }
  for (size_t n = 0; n < 8; ++n) {
    Reader r(Bytes(data, n));
    EXPECT_EQ(r.u64be(), 0u) << n;
    EXPECT_FALSE(r.ok()) << n;
    Reader r2(Bytes(data, n));
    EXPECT_EQ(r2.u64le(), 0u) << n;
    EXPECT_FALSE(r2.ok()) << n;
  }
  {
    Reader r(Bytes(data, 4));
    std::array<uint8_t, 5> out;
    out.fill(0xaa);
    r.copy(out);
    EXPECT_EQ(out, (std::array<uint8_t, 5>{}));
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(Bytes(data, 4));
    EXPECT_TRUE(r.view(5).empty());
    EXPECT_FALSE(r.ok());
  }
  {
    Reader r(Bytes(data, 4));
    r.skip(5);
    EXPECT_FALSE(r.ok());
  }
}

TEST(Bytes, ReaderHugeLengthDoesNotWrap) {
  const uint8_t data[] = {1, 2, 3, 4};
  Reader r(data);
  r.skip(1);
  EXPECT_TRUE(r.view(SIZE_MAX).empty());
  EXPECT_FALSE(r.ok());
}

TEST(Bytes, ZeroLengthOperationsAtTheEnd) {
  const uint8_t data[] = {1};
  Reader r(data);
  r.skip(1);
  std::array<uint8_t, 0> none{};
  r.copy(none);
  EXPECT_TRUE(r.view(0).empty());
  r.skip(0);
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.at_end());

  std::array<uint8_t, 1> buf{};
  Writer w(buf);
  w.u8(7);
  w.zeros(0);
  w.bytes(Bytes());
  EXPECT_TRUE(w.reserve(0).empty());
  EXPECT_TRUE(w.ok());
  EXPECT_EQ(w.length(), 1u);
}

TEST(Bytes, WriterOverflowFailsStickyAndWritesNothing) {
  std::array<uint8_t, 6> buf{};
  Writer w(buf);
  w.u32be(0x01020304);
  w.u32be(0x05060708);  // two bytes left: fails, touches nothing
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(w.remaining(), 0u);
  EXPECT_EQ(buf[4], 0);
  EXPECT_EQ(buf[5], 0);
  w.u8(9);  // sticky
  EXPECT_FALSE(w.ok());
  EXPECT_EQ(buf[4], 0);
  EXPECT_EQ(w.length(), 4u);
}

TEST(Bytes, EveryWritePastEndFailsWithoutTouchingMemory) {
  // Each write gets one byte too few; the buffer has a guard byte behind the writable region.
  auto check = [](size_t room, auto write) {
    std::array<uint8_t, 10> buf;
    buf.fill(0xee);
    Writer w(MutableBytes(buf.data(), room));
    write(w);
    EXPECT_FALSE(w.ok()) << room;
    EXPECT_EQ(w.length(), 0u) << room;
    for (uint8_t b : buf) EXPECT_EQ(b, 0xee) << room;
  };
  check(0, [](Writer& w) { w.u8(1); });
  check(1, [](Writer& w) { w.u16be(1); });
  check(1, [](Writer& w) { w.u16le(1); });
  check(3, [](Writer& w) { w.u32be(1); });
  check(3, [](Writer& w) { w.u32le(1); });
  for (size_t room = 0; room < 8; ++room) {
    check(room, [](Writer& w) { w.u64be(0x0102030405060708ull); });
    check(room, [](Writer& w) { w.u64le(0x0102030405060708ull); });
  }
  const uint8_t five[5] = {1, 2, 3, 4, 5};
  check(4, [&](Writer& w) { w.bytes(five); });
  check(4, [](Writer& w) { w.zeros(5); });
  check(4, [](Writer& w) { EXPECT_TRUE(w.reserve(5).empty()); });
  check(4, [](Writer& w) { w.zeros(SIZE_MAX); });
}

TEST(Bytes, LoadStoreHelpers) {
  uint8_t b[8];
  store_u32le(b, 0x04030201);
  EXPECT_EQ(b[0], 1);
  EXPECT_EQ(b[3], 4);
  EXPECT_EQ(load_u32le(b), 0x04030201u);
  store_u64le(b, 0x0807060504030201ull);
  EXPECT_EQ(b[7], 8);
  EXPECT_EQ(load_u64le(b), 0x0807060504030201ull);
  store_u16be(b, 0xa1b2);
  EXPECT_EQ(b[0], 0xa1);
  EXPECT_EQ(load_u16be(b), 0xa1b2);
  store_u32be(b, 0xa1b2c3d4);
  EXPECT_EQ(b[3], 0xd4);
  EXPECT_EQ(load_u32be(b), 0xa1b2c3d4u);
}

}  // namespace
}  // namespace mw::base
