// SPDX-License-Identifier: Apache-2.0
// UapiServer with a real wg(8)-style client on a real loop: gets answered, sets applied, and on
// a mesh-managed (read-only) interface sets refused with EPERM while gets still work.
#include "node/uapi_server.h"

#include <gtest/gtest.h>

#include "node/testing/loop_rig.h"

namespace mw::node {
namespace {

using testing::connect_client;
using testing::received;

const base::Instant kT0 = base::Instant::from_nanos(1'000'000'000'000);
const char kKey[] = "e84b5a6d2717c1003a13b431570353dbaca9146cf150c5f8575680feba52027a";

// Sends `request` on a fresh connection and returns what came back.
std::string exchange(testing::LoopRig& rig, const std::string& path, const std::string& request) {
  base::UniqueFd c = connect_client(path);
  EXPECT_TRUE(c.valid());
  EXPECT_TRUE(testing::send_all(c.get(), request));
  EXPECT_TRUE(rig.settle(kT0));
  return received(c.get());
}

TEST(UapiServer, SetsApplyAndGetsAnswer) {
  testing::LoopRig rig;
  auto server = UapiServer::start(rig.loop(), rig.socket_path("wg0.sock"));
  ASSERT_TRUE(server) << server.error().message();
  std::string set = std::string("set=1\nprivate_key=") + kKey + "\n\n";
  EXPECT_EQ(exchange(rig, (*server)->path(), set), "errno=0\n\n<open>");
  std::string get = exchange(rig, (*server)->path(), "get=1\n\n");
  EXPECT_EQ(get.rfind(std::string("private_key=") + kKey + "\n", 0), 0u) << get;
}

// The mesh owns its interface's peers and port: a `wg set` there is refused (wg(8) prints
// "Operation not permitted"), and nothing changes; `wg show` keeps working.
TEST(UapiServer, AReadOnlyInterfaceRefusesSetsAndAnswersGets) {
  testing::LoopRig rig;
  auto server = UapiServer::start(rig.loop(), rig.socket_path("mw0.sock"), /*read_only=*/true);
  ASSERT_TRUE(server) << server.error().message();
  std::string set = std::string("set=1\nprivate_key=") + kKey + "\nlisten_port=4242\n\n";
  EXPECT_EQ(exchange(rig, (*server)->path(), set), "errno=-1\n\n<open>");
  std::string get = exchange(rig, (*server)->path(), "get=1\n\n");
  EXPECT_EQ(get.find("private_key="), std::string::npos) << "the key was not set: " << get;
  EXPECT_EQ(get.find("listen_port=4242"), std::string::npos) << get;
  EXPECT_NE(get.find("errno=0\n\n"), std::string::npos) << get;
}

}  // namespace
}  // namespace mw::node
