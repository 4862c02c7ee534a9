// SPDX-License-Identifier: Apache-2.0
// The mesh daemon in process: membership events become WireGuard peers with derived allowed
// IPs, traffic flows between derived addresses, a crash removes the peer everywhere and a
// restart brings it back, strangers never become peers, colliding IPv4 addresses are not
// routed, and the control protocol and metrics report it all.
#include "node/mesh_daemon.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>

#include "base/testing/temp_dir.h"
#include "node/testing/mesh_lab.h"
#include "trust/address.h"
#include "trust/testing/identities.h"
#include "wireguard/testing/packets.h"

namespace mw::node {
namespace {

using base::Duration;
using testing::MeshLab;

crypto::PublicKey key_of(uint8_t n) { return trust::testing::identity_from_byte(n).public_key; }

const wg::Peer* wg_peer(MeshLab& lan, uint8_t at, uint8_t of) {
  auto k = trust::wireguard_public_key(key_of(of));
  return lan.node(at).engine->device().find_peer(*k);
}

void start_three(MeshLab& lan) {
  lan.add(1, {2, 3});
  lan.add(2, {1, 3});
  lan.add(3, {1, 2});
  lan.start(1, 0);
  lan.start(2, 1);
  lan.start(3, 1);
  lan.run_for(Duration::seconds(5));
}

TEST(MeshDaemon, MembersBecomePeersWithDerivedAllowedIps) {
  MeshLab lan;
  start_three(lan);
  auto prefixes = trust::MeshPrefixes::defaults();
  for (uint8_t at : {1, 2, 3}) {
    EXPECT_EQ(lan.node(at).engine->device().peer_count(), 2u) << "node " << int(at);
    for (uint8_t of : {1, 2, 3}) {
      if (of == at) continue;
      const wg::Peer* p = wg_peer(lan, at, of);
      ASSERT_NE(p, nullptr) << int(at) << " -> " << int(of);
      ASSERT_TRUE(p->endpoint);
      EXPECT_EQ(*p->endpoint, MeshLab::address(of));
      auto ips = lan.node(at).engine->device().allowed_ips(*p);
      EXPECT_EQ(ips.size(), 2u);
      EXPECT_NE(std::find(ips.begin(), ips.end(),
                          *base::IpPrefix::make(trust::mesh_ipv4(key_of(of), prefixes), 32)),
                ips.end());
      EXPECT_NE(std::find(ips.begin(), ips.end(),
                          *base::IpPrefix::make(trust::mesh_ipv6(key_of(of), prefixes), 128)),
                ips.end());
    }
  }
}

TEST(MeshDaemon, TrafficFlowsBetweenDerivedAddresses) {
  MeshLab lan;
  start_three(lan);
  auto prefixes = trust::MeshPrefixes::defaults();
  for (bool v6 : {false, true}) {
    auto src = v6 ? trust::mesh_ipv6(key_of(1), prefixes) : trust::mesh_ipv4(key_of(1), prefixes);
    auto dst = v6 ? trust::mesh_ipv6(key_of(3), prefixes) : trust::mesh_ipv4(key_of(3), prefixes);
    auto packet = wg::testing::make_ip_packet(src, dst, 200, v6 ? 66 : 44);
    lan.node(1).io->inject_tun(packet);
    lan.run_for(Duration::millis(100));
    ASSERT_FALSE(lan.node(3).io->tun_out.empty());
    EXPECT_EQ(wg::testing::packet_tag(lan.node(3).io->tun_out.back()), v6 ? 66u : 44u);
  }
}

TEST(MeshDaemon, CrashRemovesThePeerEverywhereAndRestartRestoresIt) {
  MeshLab lan;
  start_three(lan);
  lan.crash(3);
  lan.run_for(Duration::seconds(30));
  for (uint8_t at : {1, 2}) {
    EXPECT_EQ(wg_peer(lan, at, 3), nullptr) << "node " << int(at);
    EXPECT_NE(wg_peer(lan, at, at == 1 ? 2 : 1), nullptr);
    auto status = lan.node(at).daemon->status();
    for (const auto& m : status.members) {
      if (m.identity == trust::public_key_text(key_of(3))) {
        EXPECT_EQ(m.state, "dead");
      }
    }
  }
  lan.start(3, 1, 1'800'000'100);  // restarted later: a larger incarnation
  lan.run_for(Duration::seconds(5));
  for (uint8_t at : {1, 2}) EXPECT_NE(wg_peer(lan, at, 3), nullptr) << "node " << int(at);
}

TEST(MeshDaemon, StrangerNeverBecomesAPeer) {
  MeshLab lan;
  lan.add(1, {2});
  lan.add(2, {1});
  lan.add(9, {1, 2});  // trusts them, but nobody trusts it
  lan.start(1, 0);
  lan.start(2, 1);
  lan.start(9, 1);
  lan.run_for(Duration::seconds(10));
  EXPECT_EQ(wg_peer(lan, 1, 9), nullptr);
  EXPECT_EQ(wg_peer(lan, 2, 9), nullptr);
  EXPECT_EQ(lan.node(1).daemon->status().members.size(), 1u);
  EXPECT_GT(lan.node(1).daemon->membership().stats().drop_count(swim::DropReason::kNotTrusted), 0u);
  EXPECT_EQ(lan.node(9).engine->device().peer_count(), 0u) << "and it admits nobody either";
}

TEST(MeshDaemon, CollidingIpv4IsNotRoutedButIpv6Is) {
  // In a /24 collisions are easy to find among the deterministic identities.
  auto prefixes = *trust::MeshPrefixes::make(*base::IpPrefix::parse("fd99:6d67::/64"),
                                             *base::IpPrefix::parse("10.99.0.0/24"));
  uint8_t a = 0, b = 0;
  for (uint8_t i = 2; i < 200 && !a; ++i)
    for (uint8_t j = i + 1; j < 200 && !a; ++j)
      if (trust::mesh_ipv4(key_of(i), prefixes) == trust::mesh_ipv4(key_of(j), prefixes)) {
        a = i;
        b = j;
      }
  ASSERT_NE(a, 0) << "no colliding pair found";
  MeshLab lan;
  lan.add(1, {a, b}, prefixes);
  lan.add(a, {1, b}, prefixes);
  lan.add(b, {1, a}, prefixes);
  lan.start(1, 0);
  lan.start(a, 1);
  lan.start(b, 1);
  lan.run_for(Duration::seconds(5));
  for (uint8_t of : {a, b}) {
    const wg::Peer* p = wg_peer(lan, 1, of);
    ASSERT_NE(p, nullptr);
    auto ips = lan.node(1).engine->device().allowed_ips(*p);
    ASSERT_EQ(ips.size(), 1u) << "IPv6 only";
    EXPECT_TRUE(ips[0].address.is_v6());
  }
  auto status = lan.node(1).daemon->status();
  ASSERT_EQ(status.members.size(), 2u);
  for (const auto& m : status.members) {
    EXPECT_FALSE(m.ipv4_routed);
    EXPECT_NE(m.ipv4_note.find("collides"), std::string::npos) << m.ipv4_note;
  }
}

TEST(MeshDaemon, StatusNamesMembersAsTheTrustFilesDo) {
  MeshLab lan;
  start_three(lan);
  auto status = lan.node(1).daemon->status();
  ASSERT_EQ(status.members.size(), 2u);
  for (const auto& m : status.members) {
    std::string want = m.identity == trust::public_key_text(key_of(2)) ? "n2" : "n3";
    EXPECT_EQ(m.name, want);
  }
}

TEST(MeshDaemon, ControlProtocolReportsAndStops) {
  MeshLab lan;
  start_three(lan);
  MeshDaemon& d = *lan.node(1).daemon;
  control::Request req;
  std::string line = control::encode_request(req);
  line.pop_back();  // serve() takes the line without its newline
  auto resp = control::decode_response(control::serve(line, {0, 0, 1}, uint32_t(geteuid()), d));
  ASSERT_TRUE(resp) << resp.error().message();
  ASSERT_TRUE(resp->ok);
  ASSERT_TRUE(resp->status);
  EXPECT_EQ(resp->status->identity, trust::public_key_text(key_of(1)));
  EXPECT_EQ(resp->status->members.size(), 2u);
  for (const auto& m : resp->status->members) {
    EXPECT_EQ(m.state, "alive");
    EXPECT_TRUE(m.rtt_ms);
  }
  auto refused = control::decode_response(control::serve(line, {4242, 4242, 1}, 0, d));
  ASSERT_TRUE(refused);
  EXPECT_FALSE(refused->ok);
  req.command = control::Command::kDown;
  line = control::encode_request(req);
  line.pop_back();
  auto down = control::decode_response(control::serve(line, {0, 0, 1}, 0, d));
  ASSERT_TRUE(down && down->ok);
  EXPECT_TRUE(lan.node(1).loop->stopping());
  EXPECT_TRUE(d.stopped_by_request());
}

TEST(MeshDaemon, MetricsCountMembersProbesAndPeers) {
  MeshLab lan;
  start_three(lan);
  std::string text = lan.node(1).daemon->metrics_text();
  EXPECT_NE(text.find("meshward_members{state=\"alive\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE meshward_probes_total counter"), std::string::npos);
  EXPECT_NE(text.find("meshward_gossip_bytes_total{direction=\"sent\"}"), std::string::npos);
  EXPECT_NE(text.find("meshward_peer_rx_bytes_total{peer=\""), std::string::npos);
  EXPECT_NE(text.find("meshward_path_changes_total{cause=\"announced\"} 2"), std::string::npos)
      << "each member's announced endpoint went through the path manager";
  EXPECT_EQ(text.find("not_wireguard_or_mesh"), std::string::npos);

  // Garbage that is neither WireGuard nor mesh is refused and counted.
  auto& n1 = lan.node(1);
  n1.io->inject_udp(MeshLab::address(9), {0x55, 1, 2, 3});
  n1.io->inject_udp(MeshLab::address(9), {});
  lan.run_for(Duration::millis(10));
  text = n1.daemon->metrics_text();
  EXPECT_NE(text.find("meshward_mesh_drops_total{reason=\"not_wireguard_or_mesh\"} 2"),
            std::string::npos)
      << text;
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST(MeshDaemon, IncarnationOutlivesAClockThatSteppedBack) {
  base::testing::TempDir dir("mw-state-test");
  std::string state = dir.path() + "/state";
  std::ofstream(state) << "incarnation 4000000000\n";  // a past life when the clock was ahead
  MeshLab lan;
  lan.add(1, {});
  lan.set_state_file(1, state);
  lan.start(1, 0);  // wall clock 1.8e9 s: behind the saved incarnation
  EXPECT_EQ(lan.node(1).daemon->status().incarnation, 4000000001u);
  EXPECT_EQ(read_text(state), "incarnation 4000000001\n");
}

TEST(MeshDaemon, BrokenStateFileIsIgnoredAndRewritten) {
  base::testing::TempDir dir("mw-state-test");
  std::string state = dir.path() + "/state";
  for (const char* bad : {"garbage\n", "incarnation x\n", "incarnation 99999999999\n", ""}) {
    std::ofstream(state) << bad;
    MeshLab lan;
    lan.add(1, {});
    lan.set_state_file(1, state);
    lan.start(1, 0, 1'800'000'000);
    EXPECT_EQ(lan.node(1).daemon->status().incarnation, 1'800'000'000u) << bad;
    EXPECT_EQ(read_text(state), "incarnation 1800000000\n") << bad;
  }
}

TEST(MeshDaemon, GracefulLeaveRemovesThePeerAtOnce) {
  MeshLab lan;
  start_three(lan);
  lan.stop(3);
  lan.run_for(Duration::millis(200));
  lan.crash(3);
  EXPECT_EQ(wg_peer(lan, 1, 3), nullptr);
  EXPECT_EQ(wg_peer(lan, 2, 3), nullptr);
}

}  // namespace
}  // namespace mw::node
