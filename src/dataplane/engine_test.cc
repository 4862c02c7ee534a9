// SPDX-License-Identifier: Apache-2.0
// Two (or three) real engines over in-memory ports on a virtual clock: a handshake and traffic
// both ways, TCP super-packets cut and coalesced through virtio-net headers with UDP GSO and
// GRO, a lossy, duplicating, reordering link, rekeying, roaming, cookies under a handshake
// flood, foreign datagrams, crypto workers, and a TUN that goes away.
#include "dataplane/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <set>

#include "crypto/x25519.h"
#include "dataplane/gso_split.h"
#include "dataplane/testing/engine_lab.h"
#include "dataplane/testing/packets.h"
#include "os/epoll.h"
#include "wireguard/constants.h"
#include "wireguard/messages.h"
#include "wireguard/testing/packets.h"

namespace mw::dp {
namespace {

using base::Duration;
using testing::EngineLab;
using testing::FakeIoOptions;

FakeIoOptions ports(TunOffloads tun = {}, bool gso = false, bool gro = false) {
  FakeIoOptions o;
  o.tun_offloads = tun;
  o.udp_gso = gso;
  o.udp_gro = gro;
  return o;
}

EngineOptions workers(int n) {
  EngineOptions o;
  o.crypto_workers = n;
  return o;
}

// A tagged IP packet from node `from`'s tunnel address to node `to`'s.
std::vector<uint8_t> packet(size_t from, size_t to, size_t len, uint64_t tag) {
  return wg::testing::make_ip_packet(EngineLab::tunnel_address(from), EngineLab::tunnel_address(to),
                                     len, tag);
}

std::vector<uint64_t> tags_of(const std::vector<std::vector<uint8_t>>& packets) {
  std::vector<uint64_t> tags;
  for (const auto& p : packets) tags.push_back(wg::testing::packet_tag(p));
  return tags;
}

TEST(Engine, HandshakeThenTrafficBothWays) {
  EngineLab lab(2, ports());
  lab.pair(0, 1);
  lab.io(0).inject_tun(packet(0, 1, 100, 1));
  lab.settle();
  ASSERT_EQ(tags_of(lab.io(1).tun_out), std::vector<uint64_t>{1}) << "staged, then sent";
  lab.io(1).inject_tun(packet(1, 0, 1400, 2));
  lab.settle();
  EXPECT_EQ(tags_of(lab.io(0).tun_out), std::vector<uint64_t>{2});
  EXPECT_EQ(lab.engine(0).device().stats().handshakes_completed, 1u);
  EXPECT_EQ(lab.engine(1).device().stats().handshakes_completed, 1u);
  EXPECT_EQ(lab.engine(0).drops().seal_failed, 0u);
}

// The DH of a handshake is not done in the wake that receives it: the loop screens it and
// hands it to the handshake thread, whose wake fd brings the loop back to finish it.
TEST(Engine, HandshakeDiffieHellmanRunsOffTheLoop) {
  EngineLab lab(2, ports());
  lab.pair(0, 1);
  ASSERT_TRUE(lab.engine(1).has_handshake_thread());
  ASSERT_GE(lab.engine(1).wake_fd(), 0);
  lab.io(0).inject_tun(packet(0, 1, 100, 1));
  lab.wake(0);  // the initiation leaves
  lab.wake(1);  // and is received, screened and handed on
  EXPECT_EQ(lab.engine(1).queued_handshakes(), 1u) << "on the handshake thread";
  EXPECT_EQ(lab.io(0).pending_udp(), 0u) << "not answered within the wake";
  lab.engine(1).wait_handshake_thread();
  auto epoll = os::Epoll::create();
  ASSERT_TRUE(epoll);
  ASSERT_TRUE(epoll->add(lab.engine(1).wake_fd(), 1));
  std::array<PollEvent, 1> events;
  EXPECT_EQ(*epoll->wait(events, base::Duration::zero()), 1u) << "the loop is woken";
  lab.engine(1).on_wake_fd();
  EXPECT_EQ(*epoll->wait(events, base::Duration::zero()), 0u);
  lab.settle();
  EXPECT_EQ(tags_of(lab.io(1).tun_out), std::vector<uint64_t>{1});
  EXPECT_EQ(lab.engine(1).queued_handshakes(), 0u);
}

// Without the thread, the same handshake is finished within the wake that receives it.
TEST(Engine, HandshakeOnTheLoopWithoutTheThread) {
  EngineOptions inline_dh;
  inline_dh.handshake_thread = false;
  EngineLab lab(2, ports(), inline_dh);
  lab.pair(0, 1);
  EXPECT_FALSE(lab.engine(1).has_handshake_thread());
  EXPECT_EQ(lab.engine(1).wake_fd(), -1);
  lab.io(0).inject_tun(packet(0, 1, 100, 1));
  lab.wake(0);
  lab.wake(1);
  EXPECT_EQ(lab.engine(1).queued_handshakes(), 0u);
  EXPECT_EQ(lab.io(0).pending_udp(), 1u) << "the response, sent within the wake";
  lab.settle();
  EXPECT_EQ(tags_of(lab.io(1).tun_out), std::vector<uint64_t>{1});
}

TEST(Engine, PacketsOfOnePeerArriveInOrder) {
  EngineLab lab(2, ports({}, true, true));
  lab.pair(0, 1);
  // The session first: 300 packets sent before it would overflow the staged queue (128).
  lab.io(0).inject_tun(packet(0, 1, 100, 1000));
  lab.settle();
  lab.io(1).tun_out.clear();
  std::vector<uint64_t> sent;
  for (uint64_t i = 0; i < 300; ++i) {
    lab.io(0).inject_tun(packet(0, 1, 64 + (i % 3) * 600, i));
    sent.push_back(i);
  }
  lab.settle();
  EXPECT_EQ(tags_of(lab.io(1).tun_out), sent);
  EXPECT_GT(lab.io(0).gso_runs_sent, 0u) << "equal-size datagrams leave as GSO runs";
  EXPECT_GT(lab.io(1).gro_buffers_read, 0u) << "and arrive as GRO buffers";
}

// A TCP super-packet of `payload_len` bytes with its virtio_net_hdr, from node a to node b.
std::vector<uint8_t> tcp_super_packet(size_t a, size_t b, size_t payload_len, uint32_t seq) {
  testing::IpSpec ip;
  std::copy_n(EngineLab::tunnel_address(a).data(), 4, ip.src);
  std::copy_n(EngineLab::tunnel_address(b).data(), 4, ip.dst);
  testing::TcpSpec tcp;
  tcp.seq = seq;
  std::vector<uint8_t> payload(payload_len);
  for (size_t i = 0; i < payload_len; ++i) payload[i] = uint8_t(seq + i);
  std::vector<uint8_t> p = testing::build_tcp(ip, tcp, payload);
  VirtioNetHdr h{kVirtioNetHdrFNeedsCsum, kVirtioNetHdrGsoTcpV4, 40, 1380, 20, 16};
  std::vector<uint8_t> out(kVirtioNetHdrLen);
  encode_virtio_net_hdr(h, out.data());
  out.insert(out.end(), p.begin(), p.end());
  return out;
}

// The TCP payload bytes of TUN writes (with virtio-net headers), each cut back into segments.
size_t tcp_payload_written(const std::vector<std::vector<uint8_t>>& writes, size_t* segments) {
  size_t total = 0;
  std::vector<std::vector<uint8_t>> buffers(kMaxSegments, std::vector<uint8_t>(2048));
  std::vector<PacketSlot> slots;
  for (auto& b : buffers) slots.push_back({b.data(), b.size(), 0});
  for (const auto& w : writes) {
    VirtioNetHdr h;
    EXPECT_TRUE(decode_virtio_net_hdr(w, &h));
    size_t count = 0;
    EXPECT_EQ(gso_split(h, base::Bytes(w).subspan(kVirtioNetHdrLen), slots, &count),
              SplitError::kNone);
    for (size_t i = 0; i < count; ++i) {
      base::Bytes seg(slots[i].data, slots[i].length);
      EXPECT_TRUE(testing::naive_packet_ok(seg));
      total += seg.size() - 40;
    }
    *segments += count;
  }
  return total;
}

TEST(Engine, TcpSuperPacketsAreCutSealedOpenedAndCoalescedBothWays) {
  FakeIoOptions o = ports(TunOffloads{true, true, false}, true, true);
  EngineLab lab(2, o);
  lab.pair(0, 1);
  lab.io(0).inject_tun(tcp_super_packet(0, 1, 100, 1));  // the handshake first: a staged
  lab.settle();                                          // queue holds only 128 packets
  lab.io(1).tun_out.clear();
  for (auto [a, b] : {std::pair{0, 1}, std::pair{1, 0}}) {
    constexpr size_t kPayload = 60000;
    for (uint32_t k = 0; k < 8; ++k)
      lab.io(a).inject_tun(tcp_super_packet(a, b, kPayload, 1000 + k * uint32_t(kPayload)));
    lab.settle();
    size_t segments = 0;
    EXPECT_EQ(tcp_payload_written(lab.io(b).tun_out, &segments), 8 * kPayload);
    EXPECT_EQ(segments, 8 * ((kPayload + 1379) / 1380));
    EXPECT_LT(lab.io(b).tun_out.size(), segments / 4) << "segments were coalesced";
    lab.io(b).tun_out.clear();
  }
  EXPECT_GT(lab.io(0).gso_runs_sent, 0u);
  EXPECT_EQ(lab.engine(0).drops().tun_read_malformed, 0u);
}

TEST(Engine, MalformedTunReadIsCountedNotSent) {
  FakeIoOptions o = ports(TunOffloads{true, true, false});
  EngineLab lab(2, o);
  lab.pair(0, 1);
  lab.io(0).inject_tun({1, 2, 3});  // shorter than a virtio_net_hdr
  auto bad = tcp_super_packet(0, 1, 3000, 1);
  bad[1] = 0x77;  // an unknown gso_type
  lab.io(0).inject_tun(bad);
  lab.settle();
  EXPECT_EQ(lab.engine(0).drops().tun_read_malformed, 2u);
  EXPECT_TRUE(lab.io(1).tun_out.empty());
}

TEST(Engine, LossyDuplicatingReorderingLinkDeliversEachPacketAtMostOnce) {
  EngineLab lab(2, ports(), {}, 42);
  lab.pair(0, 1);
  lab.io(0).inject_tun(packet(0, 1, 100, 0));
  lab.run_for(Duration::seconds(1));  // a clean handshake first
  lab.network().set_faults({.loss = 0.1, .duplicate = 0.1, .reorder = 0.2});
  for (uint64_t i = 1; i <= 500; ++i) {
    lab.io(0).inject_tun(packet(0, 1, 200, i));
    if (i % 25 == 0) lab.run_for(Duration::millis(20));
  }
  lab.run_for(Duration::seconds(1));
  auto got = tags_of(lab.io(1).tun_out);
  std::set<uint64_t> unique(got.begin(), got.end());
  EXPECT_EQ(unique.size(), got.size()) << "the replay window drops every duplicate";
  EXPECT_GT(got.size(), 380u) << "about 90 % arrive";
  EXPECT_LT(got.size(), 480u);
  EXPECT_GT(lab.engine(1).device().stats().drops(wg::DropReason::kReplayed), 0u);
  EXPECT_GT(lab.network().reordered, 0u);
}

TEST(Engine, RekeysAfterRekeyTimeAndTrafficGoesOn) {
  EngineLab lab(2, ports());
  lab.pair(0, 1);
  uint64_t tag = 0;
  base::Instant end = lab.now() + wg::kRekeyAfterTime * 2 + Duration::seconds(10);
  while (lab.now() < end) {
    lab.io(0).inject_tun(packet(0, 1, 100, ++tag));
    lab.io(1).inject_tun(packet(1, 0, 100, ++tag));
    lab.run_for(Duration::seconds(1), Duration::millis(100));
  }
  EXPECT_GE(lab.engine(0).device().stats().handshakes_completed +
                lab.engine(1).device().stats().handshakes_completed,
            3u);
  EXPECT_GE(lab.io(1).tun_out.size() + lab.io(0).tun_out.size(), size_t(tag) - 4);
}

TEST(Engine, PeerRoamsToANewAddressAndRepliesFollowIt) {
  EngineLab lab(2, ports());
  lab.pair(0, 1);
  lab.io(0).inject_tun(packet(0, 1, 100, 1));
  lab.settle();
  base::Endpoint roamed{base::IpAddress::v4({10, 9, 7, 7}), 40000};
  lab.io(0).move_to(roamed);
  lab.io(0).inject_tun(packet(0, 1, 100, 2));
  lab.settle();
  const wg::Peer* p = lab.engine(1).device().find_peer(lab.node(0).public_key);
  ASSERT_TRUE(p && p->endpoint);
  EXPECT_EQ(*p->endpoint, roamed);
  lab.io(1).inject_tun(packet(1, 0, 100, 3));
  lab.settle();
  EXPECT_EQ(tags_of(lab.io(0).tun_out), std::vector<uint64_t>{3});
}

// Records roaming reports and, when `follow`, moves the peer as the device would have.
struct Paths final : PathEvents {
  Engine* engine = nullptr;
  bool follow = false;
  std::vector<std::pair<crypto::PublicKey, base::Endpoint>> reports;
  void on_authenticated_source(const crypto::PublicKey& peer,
                               const base::Endpoint& source) override {
    reports.emplace_back(peer, source);
    if (follow) engine->device().set_endpoint(*engine->device().find_peer(peer), source);
  }
};

TEST(Engine, WithPathEventsTheOwnerDecidesWhereAPeerThatRoamedIsReached) {
  for (bool follow : {true, false}) {
    EngineLab lab(2, ports());
    lab.pair(0, 1);
    Paths paths;
    paths.engine = &lab.engine(1);
    paths.follow = follow;
    lab.engine(1).set_path_events(&paths);
    lab.io(0).inject_tun(packet(0, 1, 100, 1));
    lab.settle();
    EXPECT_TRUE(paths.reports.empty()) << "the configured endpoint was right: nothing to report";
    base::Endpoint roamed{base::IpAddress::v4({10, 9, 7, 7}), 40000};
    lab.io(0).move_to(roamed);
    lab.io(0).inject_tun(packet(0, 1, 100, 2));
    lab.settle();
    ASSERT_EQ(paths.reports.size(), 1u);
    EXPECT_EQ(paths.reports[0].first, lab.node(0).public_key);
    EXPECT_EQ(paths.reports[0].second, roamed);
    const wg::Peer* p = lab.engine(1).device().find_peer(lab.node(0).public_key);
    ASSERT_TRUE(p && p->endpoint);
    EXPECT_EQ(*p->endpoint, follow ? roamed : EngineLab::address(0))
        << "the device no longer moves the peer itself";
    lab.engine(1).set_path_events(nullptr);
  }
}

// Captures what a bare wg::Device sends.
struct Capture final : wg::DeviceOutput {
  std::vector<std::vector<uint8_t>> sent;
  void send_datagram(const base::Endpoint&, base::Bytes d) override {
    sent.emplace_back(d.begin(), d.end());
  }
  void deliver_packet(base::Bytes) override {}
};

// An initiation to node `to` from a stranger it does not know: a valid mac1, so it costs work.
std::vector<uint8_t> stranger_initiation(EngineLab& lab, size_t to) {
  wg::Device stranger;
  stranger.set_private_key(crypto::x25519_generate());
  wg::Peer& peer = stranger.add_peer(lab.node(to).public_key);
  stranger.set_endpoint(peer, EngineLab::address(to));
  Capture cap;
  stranger.initiate_handshake(peer, lab.now(), cap);
  return cap.sent.empty() ? std::vector<uint8_t>() : cap.sent[0];
}

// `count` copies of `initiation` to node `to`, each from its own spoofed source.
void flood(EngineLab& lab, size_t to, const std::vector<uint8_t>& initiation, int count) {
  for (int i = 0; i < count; ++i)
    lab.io(to).inject_udp({base::IpAddress::v4({10, 66, uint8_t(i >> 8), uint8_t(i)}), 1000},
                          initiation);
}

TEST(Engine, HandshakeFloodPutsTheResponderUnderLoadAndALegitimatePeerStillGetsIn) {
  EngineLab lab(2, ports());
  lab.pair(0, 1);
  std::vector<uint8_t> initiation = stranger_initiation(lab, 1);
  ASSERT_FALSE(initiation.empty());
  flood(lab, 1, initiation, 1200);
  lab.io(0).inject_tun(packet(0, 1, 100, 1));
  lab.run_for(Duration::seconds(1));
  const wg::DeviceStats& st = lab.engine(1).device().stats();
  EXPECT_GT(st.cookie_replies_sent, 0u) << "under load, initiations without mac2 get cookies";
  EXPECT_EQ(lab.engine(1).queued_handshakes(), 0u);
  EXPECT_EQ(tags_of(lab.io(1).tun_out), std::vector<uint64_t>{1})
      << "the real peer answers its cookie with mac2 and gets through";
}

TEST(Engine, APeerHoldingACookieSkipsAFullHandshakeQueue) {
  EngineLab lab(2, ports());
  lab.pair(0, 1);
  std::vector<uint8_t> initiation = stranger_initiation(lab, 1);
  ASSERT_FALSE(initiation.empty());
  // Under load once, so that node 0 holds a cookie from node 1 (and a session).
  flood(lab, 1, initiation, 1200);
  lab.io(0).inject_tun(packet(0, 1, 100, 1));
  lab.run_for(Duration::seconds(1));
  ASSERT_EQ(tags_of(lab.io(1).tun_out), std::vector<uint64_t>{1});
  uint64_t before = lab.engine(0).device().stats().handshakes_completed;
  // A flood that fills the queue just as node 0's next initiation (mac2 set) arrives behind it:
  // 2048 are read per wake and 1024 answered, so the 9216th fills the 4096 places.
  lab.run_for(Duration::seconds(6));
  flood(lab, 1, initiation, 9216);
  lab.engine(0).device().initiate_handshake(
      *lab.engine(0).device().find_peer(lab.node(1).public_key), lab.now(), lab.engine(0).output());
  lab.engine(0).flush();
  lab.settle();
  EXPECT_GT(lab.engine(1).drops().handshake_queue_full, 0u) << "the queue was full";
  EXPECT_EQ(lab.engine(1).proven_lane_taken(), 1u);
  EXPECT_EQ(lab.engine(0).device().stats().handshakes_completed, before + 1)
      << "yet the peer that proved its cookie got its response";
}

struct Sink final : ForeignDatagramSink {
  std::vector<std::vector<uint8_t>> got;
  void on_foreign_datagram(base::Bytes d, const base::Endpoint&, base::Instant) override {
    got.emplace_back(d.begin(), d.end());
  }
};

TEST(Engine, DatagramsThatAreNotWireGuardGoToTheSinkOrAreCounted) {
  EngineLab lab(1, ports());
  lab.io(0).inject_udp(EngineLab::address(5), {0xED, 1, 2, 3});
  lab.settle();
  EXPECT_EQ(lab.engine(0).drops().foreign_unhandled, 1u);
  Sink sink;
  lab.engine(0).set_foreign_sink(&sink);
  lab.io(0).inject_udp(EngineLab::address(5), {0xED, 4});
  lab.io(0).inject_udp(EngineLab::address(5), {});
  lab.settle();
  EXPECT_EQ(sink.got.size(), 2u);
  EXPECT_EQ(sink.got[0], (std::vector<uint8_t>{0xED, 4}));
}

TEST(Engine, CryptoWorkersKeepEveryPeersOrder) {
  EngineLab lab(3, ports({}, true, true), workers(3));
  lab.pair(0, 1);
  lab.pair(0, 2);
  std::vector<uint64_t> to1, to2;
  for (uint64_t i = 0; i < 400; ++i) {
    size_t dst = 1 + i % 2;
    lab.io(0).inject_tun(packet(0, dst, 100 + i % 1200, i));
    (dst == 1 ? to1 : to2).push_back(i);
  }
  lab.settle();
  EXPECT_EQ(tags_of(lab.io(1).tun_out), to1);
  EXPECT_EQ(tags_of(lab.io(2).tun_out), to2);
  EXPECT_EQ(lab.engine(0).crypto_threads(), 3);
}

TEST(Engine, TunThatGoesAwayIsReported) {
  EngineLab lab(1, ports());
  lab.io(0).tun_broken = true;
  EXPECT_FALSE(lab.engine(0).on_tun_readable(lab.now()));
  EXPECT_TRUE(lab.engine(0).tun_gone());
}

TEST(Engine, DataPathLineNamesTheBackendAndOffloads) {
  EngineLab lab(1, ports(TunOffloads{true, true, true}, true));
  EXPECT_EQ(lab.engine(0).data_path(),
            "fake, TUN offload TSO+USO, UDP GSO on, UDP GRO off, crypto 1 threads");
}

}  // namespace
}  // namespace mw::dp
