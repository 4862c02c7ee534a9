// SPDX-License-Identifier: Apache-2.0
// Tests for the start-up TUN offload probe, as root: on this kernel the first candidate (TSO
// and USO) passes through the data path's own split and coalesce; and a process that may not
// create namespaces gets the unprobed answer (ask for everything, take what the kernel gives).
#include "node/tun_offload_probe.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "os/private_netns.h"

namespace mw::node {
namespace {

void skip_unless_root() {
  if (geteuid() != 0) GTEST_SKIP() << "needs root (network namespaces, TUN)";
}

TEST(TunOffloadProbe, EveryOffloadPassesThroughSplitAndCoalesce) {
  skip_unless_root();
  TunOffloadChoice c = probe_tun_offloads(1420);
  EXPECT_TRUE(c.probed) << c.note;
  EXPECT_EQ(c.offloads, os::TunOffloads::all()) << c.note;
  EXPECT_EQ(c.note, "TSO+USO passed a round trip");
}

TEST(TunOffloadProbe, SmallMtuPassesToo) {
  skip_unless_root();
  TunOffloadChoice c = probe_tun_offloads(1280);
  EXPECT_TRUE(c.probed) << c.note;
  EXPECT_EQ(c.offloads, os::TunOffloads::all()) << c.note;
}

TEST(TunOffloadProbe, WithoutNamespacesItIsUnprobed) {
  skip_unless_root();
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
