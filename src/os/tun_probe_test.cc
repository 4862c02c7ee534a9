// SPDX-License-Identifier: Apache-2.0
// Tests for the TUN offload round trip, as root in private namespaces: a relay that passes
// packets on untouched passes with every offload; relays that corrupt or drop packets fail as
// offload failures (errno 0), as do offloads the interface did not take; a setup failure keeps
// its errno, so the caller can tell "cannot probe" from "broken".
#include "os/tun_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <vector>

#include "base/testing/root.h"
#include "os/private_netns.h"

namespace mw::os {
namespace {

// Kernels before 6.2 refuse USO on a TUN.
bool kernel_takes_uso() {
  return run_in_private_network_namespace(
             []() -> base::Result<void> {
               auto tun = Tun::open("mwuso0", 1420, TunOffloads::all());
               if (!tun) return tun.error();
               if (!tun->offloads().uso) return base::Error("no USO");
               return {};
             },
             base::Duration::seconds(10))
      .ok();
}

// Moves each packet, virtio-net header and all, to the other interface; `mangle` may change it
// (return false to drop it).
class CopyRelay final : public TunRelay {
 public:
  explicit CopyRelay(bool (*mangle)(PacketSlot&) = nullptr) : mangle_(mangle), buffer_(70000) {}
  base::Result<void> forward(Tun& from, Tun& to) override {
    for (;;) {
      PacketSlot slot{buffer_.data(), buffer_.size(), 0};
      auto n = from.read_batch(std::span(&slot, 1));
      if (!n) return n.error();
      if (*n == 0) return {};
      if (slot.length > 1 && (slot.data[1] & 0x7f) != 0) ++super_packets[slot.data[1] & 0x7f];
      if (mangle_ && !mangle_(slot)) continue;
      uint64_t refused = 0;
      MW_RETURN_IF_ERROR(to.write_batch(std::span(&slot, 1), &refused));
    }
  }
  // By gso_type (the header's second byte, ECN bit cleared): 1 TCPv4, 4 TCPv6, 5 UDP_L4.
  std::array<int, 128> super_packets{};

 private:
  bool (*mangle_)(PacketSlot&);
  std::vector<uint8_t> buffer_;
};

base::Result<void> round_trip(TunOffloads want, bool (*mangle)(PacketSlot&), int mtu = 1420,
                              base::Duration timeout = base::Duration::seconds(10)) {
  return run_in_private_network_namespace(
      [&]() -> base::Result<void> {
        CopyRelay relay(mangle);
        return tun_round_trip(mtu, want, relay, timeout);
      },
      timeout + base::Duration::seconds(10));
}

// The traffic really is cut and coalesced by the kernel: with TSO and USO on, the relay sees
// TCP super-packets of both families and a UDP one.
TEST(TunRoundTrip, SuperPacketsOfEveryKindCrossTheRelay) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  if (!kernel_takes_uso()) GTEST_SKIP() << "the kernel refuses USO on a TUN (before 6.2)";
  auto r = run_in_private_network_namespace(
      []() -> base::Result<void> {
        CopyRelay relay;
        MW_RETURN_IF_ERROR(
            tun_round_trip(1420, TunOffloads::all(), relay, base::Duration::seconds(10)));
        for (int type : {1, 4, 5}) {
          if (relay.super_packets[size_t(type)] == 0)
            return base::make_error("no super-packet of gso_type {}", type);
        }
        return {};
      },
      base::Duration::seconds(20));
  EXPECT_TRUE(r) << r.error().message();
}

TEST(TunRoundTrip, UntouchedPacketsPassWithEveryOffloadSet) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  bool uso = kernel_takes_uso();
  for (TunOffloads want : {TunOffloads::all(), TunOffloads{true, true, false},
                           TunOffloads{true, false, false}, TunOffloads{}}) {
    if (want.uso && !uso) continue;
    auto r = round_trip(want, nullptr);
    EXPECT_TRUE(r) << want.vnet_hdr << want.tso << want.uso << ": " << r.error().message();
  }
}

// Flips the last byte of every large packet: payload, past every header.
bool corrupt_large(PacketSlot& p) {
  if (p.length > 1200) p.data[p.length - 1] ^= 0x5a;
  return true;
}

TEST(TunRoundTrip, CorruptedPayloadFailsAsAnOffloadFailure) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  auto r =
      round_trip(TunOffloads{true, true, false}, corrupt_large, 1420, base::Duration::seconds(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), 0) << r.error().message();
}

// Drops every super-packet (gso_type, the header's second byte, not GSO_NONE).
bool drop_super_packets(PacketSlot& p) { return !(p.length > 10 && p.data[1] != 0); }

TEST(TunRoundTrip, LostSuperPacketsTimeOut) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  auto r = round_trip(TunOffloads{true, true, false}, drop_super_packets, 1420,
                      base::Duration::seconds(1));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), 0);
  EXPECT_NE(r.error().message().find("not all data arrived in 1000 ms"), std::string::npos)
      << r.error().message();
}

TEST(TunRoundTrip, OffloadsTheInterfaceDidNotTakeFail) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  auto r = round_trip(TunOffloads{false, true, false}, nullptr);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().sys_errno(), 0);
  EXPECT_EQ(r.error().message(), "the kernel refused the offloads");
}

TEST(TunRoundTrip, SetupFailureKeepsItsErrno) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  auto r = round_trip(TunOffloads::all(), nullptr, 70000);  // an MTU no interface takes
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().sys_errno(), 0) << r.error().message();
}

}  // namespace
}  // namespace mw::os
