// SPDX-License-Identifier: Apache-2.0
// Tests for the start-up TUN offload probe: the choice over candidates with a fake round trip
// (first pass wins, failures named, none passing turns the header off, any errno means "not
// probed"); and, as root, the real probe through the data path's own split and coalesce, and
// a process that may not create namespaces getting the unprobed answer.
#include "node/tun_offload_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "base/testing/root.h"
#include "os/private_netns.h"

namespace mw::node {
namespace {

using os::TunOffloads;

// A round trip that fails (errno 0) for the sets in `failing`, records what it was asked.
struct FakeRoundTrip {
  std::vector<TunOffloads> failing;
  int setup_errno_at = -1;  // the call that fails with an errno instead
  std::vector<TunOffloads> asked;
  base::Result<void> operator()(const TunOffloads& want) {
    asked.push_back(want);
    if (int(asked.size()) - 1 == setup_errno_at) return base::Error("unshare: nope", EPERM);
    for (const TunOffloads& f : failing)
      if (f == want) return base::Error("data arrived changed");
    return {};
  }
};

TunOffloadChoice choose(FakeRoundTrip& fake) {
  return choose_tun_offloads([&](const TunOffloads& w) { return fake(w); });
}

const TunOffloads kTso{true, true, false};
const TunOffloads kCsum{true, false, false};

TEST(TunOffloadChoice, FirstCandidatePassing) {
  FakeRoundTrip fake;
  TunOffloadChoice c = choose(fake);
  EXPECT_EQ(c.offloads, TunOffloads::all());
  EXPECT_TRUE(c.probed);
  EXPECT_EQ(c.note, "TSO+USO passed a round trip");
  EXPECT_EQ(fake.asked.size(), 1u);
}

TEST(TunOffloadChoice, FailuresFallBackInOrderAndAreNamed) {
  FakeRoundTrip fake{{TunOffloads::all(), kTso}, -1, {}};
  TunOffloadChoice c = choose(fake);
  EXPECT_EQ(c.offloads, kCsum);
  EXPECT_TRUE(c.probed);
  EXPECT_EQ(c.note,
            "csum passed a round trip; TSO+USO failed: data arrived changed; TSO failed: data "
            "arrived changed");
  EXPECT_EQ(fake.asked, (std::vector<TunOffloads>{TunOffloads::all(), kTso, kCsum}));
}

TEST(TunOffloadChoice, NonePassingTurnsTheHeaderOff) {
  FakeRoundTrip fake{{TunOffloads::all(), kTso, kCsum}, -1, {}};
  TunOffloadChoice c = choose(fake);
  EXPECT_EQ(c.offloads, TunOffloads{});
  EXPECT_TRUE(c.probed);
  EXPECT_EQ(c.note.rfind("every offload failed a round trip; TSO+USO failed", 0), 0u) << c.note;
}

TEST(TunOffloadChoice, AnErrnoMeansNotProbedWhereverItComes) {
  for (int at : {0, 1, 2}) {
    FakeRoundTrip fake{{TunOffloads::all(), kTso}, at, {}};
    TunOffloadChoice c = choose(fake);
    EXPECT_FALSE(c.probed) << at;
    EXPECT_EQ(c.offloads, TunOffloads::all()) << at;
    EXPECT_EQ(c.note.rfind("not probed (unshare: nope): using what the kernel accepts", 0), 0u)
        << c.note;
    EXPECT_EQ(fake.asked.size(), size_t(at + 1));
  }
}

// TSO+USO where the kernel takes USO (6.2 and later), TSO before.
TEST(TunOffloadProbe, EveryOffloadTheKernelTakesPassesThroughSplitAndCoalesce) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  for (int mtu : {1420, 1280}) {
    TunOffloadChoice c = probe_tun_offloads(mtu);
    EXPECT_TRUE(c.probed) << c.note;
    if (c.offloads.uso) {
      EXPECT_EQ(c.note, "TSO+USO passed a round trip");
    } else {
      EXPECT_EQ(c.offloads, kTso) << c.note;
      EXPECT_EQ(c.note.rfind("TSO passed a round trip; TSO+USO failed: the kernel refused", 0), 0u)
          << c.note;
    }
  }
}

TEST(TunOffloadProbe, WithoutNamespacesItIsUnprobed) {
  MW_SKIP_UNLESS_ROOT("network namespaces, TUN");
  // In a child that gave up root: unshare(CLONE_NEWNET) fails with EPERM.
  auto r = os::run_in_private_network_namespace(
      []() -> base::Result<void> {
        if (setresuid(65534, 65534, 65534) != 0) return base::Error("setresuid failed", 1);
        TunOffloadChoice c = probe_tun_offloads(1420);
        if (c.probed) return base::Error("probed without privileges: " + c.note);
        if (!(c.offloads == os::TunOffloads::all())) return base::Error("not all offloads asked");
        if (c.note.rfind("not probed (unshare(CLONE_NEWNET): Operation not permitted)", 0) != 0)
          return base::Error("note: " + c.note);
        return {};
      },
      base::Duration::seconds(30));
  EXPECT_TRUE(r) << r.error().message();
}

}  // namespace
}  // namespace mw::node
