// SPDX-License-Identifier: Apache-2.0
// Tests for the DeviceOutput::send_transport seam: an output that frames messages and
// seals them later, as a batch, in an order of its own, interoperates with a device using the
// default output, and writes exactly the bytes the default would have.
#include <gtest/gtest.h>

#include <deque>
#include <vector>

#include "crypto/x25519.h"
#include "wireguard/device.h"
#include "wireguard/testing/packets.h"
#include "wireguard/transport.h"

namespace mw::wg {
namespace {

struct Wire {
  std::deque<std::vector<uint8_t>> to[2];  // datagrams in flight to side 0 / side 1
};

// The default output: seals at once (DeviceOutput::send_transport).
class PlainOutput : public DeviceOutput {
 public:
  PlainOutput(Wire& wire, int side) : wire_(wire), side_(side) {}
  void send_datagram(const base::Endpoint&, base::Bytes d) override {
    wire_.to[1 - side_].emplace_back(d.begin(), d.end());
  }
  void deliver_packet(base::Bytes p) override { delivered.emplace_back(p.begin(), p.end()); }
  std::vector<std::vector<uint8_t>> delivered;

 protected:
  Wire& wire_;
  int side_;
};

// Holds every output until flush(), then seals the transport messages last to first (any
// order must do: each seals its own buffer) and sends all of them in the order they came.
class DeferredOutput final : public PlainOutput {
 public:
  using PlainOutput::PlainOutput;
  void send_datagram(const base::Endpoint&, base::Bytes d) override {
    held_.push_back({{d.begin(), d.end()}, {}, 0, false, {}});
  }
  void send_transport(const base::Endpoint&, const OutboundTransport& t,
                      const crypto::SymmetricKey& key, crypto::AeadKey& keyed) override {
    Held h{std::vector<uint8_t>(t.message_len()), key, t.counter, true, {}};
    EXPECT_TRUE(frame_transport(t.receiver_index, t.counter, t.plaintext, t.padded_len, h.bytes));
    // What the default would send, for comparison.
    h.expected.resize(t.message_len());
    EXPECT_TRUE(seal_transport(keyed, t, h.expected));
    held_.push_back(std::move(h));
    ++deferred;
  }
  void flush() {
    for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
      if (!it->transport) continue;
      EXPECT_TRUE(seal_framed(it->key.span(), it->counter, it->bytes));
      EXPECT_EQ(it->bytes, it->expected);
    }
    for (auto& h : held_) wire_.to[1 - side_].push_back(std::move(h.bytes));
    held_.clear();
  }
  size_t deferred = 0;

 private:
  struct Held {
    std::vector<uint8_t> bytes;
    crypto::SymmetricKey key;
    uint64_t counter;
    bool transport;
    std::vector<uint8_t> expected;
  };
  std::vector<Held> held_;
};

TEST(DeferredSeal, BatchSealingOutputInteroperatesWithDefault) {
  base::Instant now = base::Instant::from_nanos(1'000'000'000'000);
  const base::IpAddress ip[2] = {*base::IpAddress::parse("10.0.0.1"),
                                 *base::IpAddress::parse("10.0.0.2")};
  const base::Endpoint ep[2] = {*base::Endpoint::parse("192.0.2.1:51820"),
                                *base::Endpoint::parse("192.0.2.2:51820")};
  Wire wire;
  DeferredOutput deferred(wire, 0);
  PlainOutput plain(wire, 1);
  DeviceOutput* out[2] = {&deferred, &plain};
  Device dev[2];
  for (auto& d : dev) d.set_private_key(crypto::x25519_generate());
  for (int s = 0; s < 2; ++s) {
    Peer& p = dev[s].add_peer(dev[1 - s].local().public_key);
    dev[s].set_endpoint(p, ep[1 - s]);
    dev[s].add_allowed_ip(p, *base::IpPrefix::make(ip[1 - s], 32));
  }
  auto pump = [&] {
    for (int round = 0; round < 100; ++round) {
      deferred.flush();
      if (wire.to[0].empty() && wire.to[1].empty()) return;
      for (int s = 0; s < 2; ++s) {
        while (!wire.to[s].empty()) {
          std::vector<uint8_t> d = std::move(wire.to[s].front());
          wire.to[s].pop_front();
          dev[s].receive_datagram(d, ep[1 - s], now, false, *out[s]);
        }
      }
    }
  };

  // A batch from the deferred side starts the handshake; then batches both ways.
  uint64_t tag = 1;
  for (int batch = 0; batch < 5; ++batch) {
    for (int s = 0; s < 2; ++s) {
      for (int i = 0; i < 40; ++i) {
        auto packet = testing::make_ip_packet(ip[s], ip[1 - s], 20 + (tag * 37) % 1400, tag);
        dev[s].send_packet(packet, now, *out[s]);
        ++tag;
      }
    }
    pump();
    now += base::Duration::millis(10);
  }
  EXPECT_GT(deferred.deferred, 150u);
  // Every packet sent after the session existed arrives, in order, on both sides.
  for (int s = 0; s < 2; ++s) {
    auto& got = (s == 0 ? deferred : plain).delivered;
    ASSERT_GE(got.size(), 150u) << s;
    for (size_t i = 1; i < got.size(); ++i)
      EXPECT_LT(testing::packet_tag(got[i - 1]), testing::packet_tag(got[i])) << s << " " << i;
  }
  EXPECT_EQ(dev[0].stats().drops(DropReason::kDecryptFailed), 0u);
  EXPECT_EQ(dev[1].stats().drops(DropReason::kDecryptFailed), 0u);
  EXPECT_EQ(dev[1].stats().drops(DropReason::kReplayed), 0u);
}

}  // namespace
}  // namespace mw::wg
