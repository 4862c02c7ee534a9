// SPDX-License-Identifier: Apache-2.0
// A keypair's directions: assigning a derived key keys its AEAD context, and transport
// messages sealed or opened through the contexts equal those made from the raw keys.
#include "wireguard/keypair.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "wireguard/transport.h"

namespace mw::wg {
namespace {

crypto::SymmetricKey key_of(uint8_t seed) {
  crypto::SymmetricKey k;
  for (size_t i = 0; i < k.size(); ++i) k[i] = uint8_t(seed + i * 7);
  return k;
}

TEST(Keypair, UnassignedDirectionFailsClosed) {
  Keypair kp;
  EXPECT_FALSE(kp.send_key.aead().keyed());
  std::vector<uint8_t> msg(transport_message_length(16));
  EXPECT_FALSE(seal_transport(kp.send_key.aead(), 1, 0, {}, 16, msg));
}

TEST(Keypair, ContextsMatchRawKeysOnTheTransportPath) {
  Keypair alice, bob;
  alice.send_key = key_of(1);
  alice.receive_key = key_of(2);
  bob.send_key = key_of(2);
  bob.receive_key = key_of(1);
  ASSERT_TRUE(alice.send_key.aead().keyed());
  EXPECT_EQ(alice.send_key.key().span()[5], key_of(1)[5]);

  for (uint64_t counter = 0; counter < 50; ++counter) {
    std::vector<uint8_t> packet(counter * 29 % 1400, uint8_t(counter));
    size_t padded = padded_length(packet.size(), 1420);
    std::vector<uint8_t> via_ctx(transport_message_length(padded));
    std::vector<uint8_t> via_key(via_ctx.size());
    ASSERT_TRUE(seal_transport(alice.send_key.aead(), 77, counter, packet, padded, via_ctx));
    ASSERT_TRUE(seal_transport(key_of(1), 77, counter, packet, padded, via_key));
    ASSERT_EQ(via_ctx, via_key) << counter;

    auto opened = open_transport(bob.receive_key.aead(), counter, via_ctx);
    ASSERT_TRUE(opened) << counter;
    EXPECT_EQ(std::vector<uint8_t>(opened->begin(), opened->begin() + long(packet.size())), packet);
    // The wrong counter (nonce) fails, and the context opens the next message regardless.
    EXPECT_FALSE(open_transport(bob.receive_key.aead(), counter + 1, via_key));
  }
}

// The keyed path encrypts straight from the plaintext into the message; the plaintext may also
// sit in place already. Both give the bytes of framing then sealing in place (the raw-key path);
// wrong sizes are refused before anything is written.
TEST(Keypair, SealTransportInPlaceAndItsRejects) {
  Keypair kp;
  kp.send_key = key_of(3);
  std::vector<uint8_t> packet(1001, 0x5a);
  size_t padded = padded_length(packet.size(), 1420);
  std::vector<uint8_t> expected(transport_message_length(padded));
  ASSERT_TRUE(seal_transport(key_of(3), 9, 4, packet, padded, expected));

  std::vector<uint8_t> in_place(expected.size(), 0xee);
  std::copy(packet.begin(), packet.end(), in_place.begin() + long(kTransportHeaderLen));
  base::Bytes body(in_place.data() + kTransportHeaderLen, packet.size());
  ASSERT_TRUE(seal_transport(kp.send_key.aead(), 9, 4, body, padded, in_place));
  EXPECT_EQ(in_place, expected);

  OutboundTransport t{9, 4, packet, padded};
  EXPECT_EQ(t.message_len(), expected.size());
  std::vector<uint8_t> via_struct(t.message_len());
  ASSERT_TRUE(seal_transport(kp.send_key.aead(), t, via_struct));
  EXPECT_EQ(via_struct, expected);

  std::vector<uint8_t> untouched(expected.size(), 0xee);
  EXPECT_FALSE(seal_transport(
      kp.send_key.aead(), 9, 4, packet, packet.size() - 1,
      base::MutableBytes(untouched.data(), transport_message_length(packet.size() - 1))));
  EXPECT_FALSE(seal_transport(kp.send_key.aead(), 9, 4, packet, padded,
                              base::MutableBytes(untouched.data(), untouched.size() - 1)));
  EXPECT_EQ(untouched, std::vector<uint8_t>(expected.size(), 0xee));
}

TEST(Keypair, ReassigningAKeyRekeysTheContext) {
  Keypair kp;
  kp.send_key = key_of(1);
  kp.send_key = key_of(9);
  std::vector<uint8_t> a(transport_message_length(16)), b(a.size());
  ASSERT_TRUE(seal_transport(kp.send_key.aead(), 1, 0, {}, 16, a));
  ASSERT_TRUE(seal_transport(key_of(9), 1, 0, {}, 16, b));
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace mw::wg
