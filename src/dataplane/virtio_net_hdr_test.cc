// SPDX-License-Identifier: Apache-2.0
// Tests for the virtio_net_hdr codec: layout, endianness and short input.
#include "dataplane/virtio_net_hdr.h"

#include <gtest/gtest.h>

#include <array>

namespace mw::dp {
namespace {

TEST(VirtioNetHdr, DecodesLittleEndianFields) {
  const std::array<uint8_t, 12> in = {0x01, 0x81, 0x36, 0x00, 0xa8, 0x05,
                                      0x14, 0x00, 0x10, 0x00, 0xee, 0xee};
  VirtioNetHdr h;
  ASSERT_TRUE(decode_virtio_net_hdr(in, &h));
  EXPECT_EQ(h.flags, kVirtioNetHdrFNeedsCsum);
  EXPECT_EQ(h.gso_type, kVirtioNetHdrGsoTcpV4 | kVirtioNetHdrGsoEcn);
  EXPECT_EQ(h.hdr_len, 54);
  EXPECT_EQ(h.gso_size, 1448);
  EXPECT_EQ(h.csum_start, 20);
  EXPECT_EQ(h.csum_offset, 16);
}

TEST(VirtioNetHdr, EncodeDecodeRoundTrip) {
  const VirtioNetHdr h{kVirtioNetHdrFNeedsCsum, kVirtioNetHdrGsoUdpL4, 0x1234, 0xfedc, 40, 6};
  std::array<uint8_t, kVirtioNetHdrLen> buf{};
  encode_virtio_net_hdr(h, buf.data());
  EXPECT_EQ(buf[2], 0x34);
  EXPECT_EQ(buf[3], 0x12);
  VirtioNetHdr back;
  ASSERT_TRUE(decode_virtio_net_hdr(buf, &back));
  EXPECT_EQ(back, h);
}

TEST(VirtioNetHdr, RejectsShortInput) {
  const std::array<uint8_t, 9> in{};
  VirtioNetHdr h{7, 7, 7, 7, 7, 7};
  EXPECT_FALSE(decode_virtio_net_hdr(in, &h));
  EXPECT_EQ(h.flags, 7);
  EXPECT_FALSE(decode_virtio_net_hdr({}, &h));
}

}  // namespace
}  // namespace mw::dp
