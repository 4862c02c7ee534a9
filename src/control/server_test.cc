// SPDX-License-Identifier: Apache-2.0
// Tests for serve(): each command reaches the handler, callers other than root and the daemon's
// uid are refused, and malformed or oversized exchanges become error responses.
#include "control/protocol.h"

#include <gtest/gtest.h>

namespace mw::control {
namespace {

class FakeHandler : public Handler {
 public:
  StatusReport status() override {
    ++status_calls;
    return report;
  }
  void shutdown() override { ++shutdown_calls; }
  std::optional<NetcheckReport> netcheck() override { return nat; }

  StatusReport report;
  std::optional<NetcheckReport> nat;
  int status_calls = 0;
  int shutdown_calls = 0;
};

constexpr uint32_t kDaemonUid = 1000;

Response served(std::string_view line, uint32_t uid, FakeHandler& h) {
  std::string out = serve(line, Caller{uid, uid, 42}, kDaemonUid, h);
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  auto r = decode_response(out);
  EXPECT_TRUE(r.ok()) << out;
  return r.ok() ? *r : Response{};
}

TEST(ControlServe, StatusAndPeersReturnTheReport) {
  FakeHandler h;
  h.report.interface = "mw0";
  MemberStatus m;
  m.identity = "k";
  m.state = "alive";
  h.report.members.push_back(m);
  for (Command c : {Command::kStatus, Command::kPeers}) {
    Response r = served(encode_request({kProtocolVersion, c}), 0, h);
    EXPECT_TRUE(r.ok);
    ASSERT_TRUE(r.status.has_value());
    EXPECT_EQ(*r.status, h.report);
    EXPECT_FALSE(r.stopping);
  }
  EXPECT_EQ(h.status_calls, 2);
  EXPECT_EQ(h.shutdown_calls, 0);
}

TEST(ControlServe, DownShutsDown) {
  FakeHandler h;
  Response r = served(encode_request({kProtocolVersion, Command::kDown}), kDaemonUid, h);
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.stopping);
  EXPECT_FALSE(r.status.has_value());
  EXPECT_EQ(h.shutdown_calls, 1);
}

TEST(ControlServe, NetcheckReturnsTheNodesViewOrSaysItHasNone) {
  FakeHandler h;
  Response none = served(encode_request({kProtocolVersion, Command::kNetcheck}), 0, h);
  EXPECT_FALSE(none.ok);
  EXPECT_EQ(none.error, "this daemon does not run NAT checks");
  h.nat = NetcheckReport{};
  h.nat->mapping_v4 = "endpoint-dependent";
  Response r = served(encode_request({kProtocolVersion, Command::kNetcheck}), 0, h);
  EXPECT_TRUE(r.ok);
  ASSERT_TRUE(r.netcheck);
  EXPECT_EQ(*r.netcheck, *h.nat);
}

TEST(ControlServe, OtherUidsAreRefusedForEveryCommand) {
  FakeHandler h;
  for (Command c : {Command::kStatus, Command::kPeers, Command::kDown, Command::kNetcheck}) {
    EXPECT_TRUE(authorized(c, Caller{0, 0, 1}, kDaemonUid));
    EXPECT_TRUE(authorized(c, Caller{kDaemonUid, 5, 1}, kDaemonUid));
    EXPECT_FALSE(authorized(c, Caller{1001, 0, 1}, kDaemonUid)) << "gid 0 is not enough";
    Response r = served(encode_request({kProtocolVersion, c}), 1001, h);
    EXPECT_FALSE(r.ok);
    EXPECT_EQ(r.error, "permission denied: uid 1001");
  }
  EXPECT_EQ(serve(encode_request({}), Caller{1001, 1001, 7}, kDaemonUid, h),
            "{\"error\":\"permission denied: uid 1001\",\"ok\":false,\"version\":1}\n");
  EXPECT_EQ(h.status_calls, 0);
  EXPECT_EQ(h.shutdown_calls, 0);
}

TEST(ControlServe, MalformedRequestsGetErrors) {
  FakeHandler h;
  EXPECT_EQ(served("garbage", 0, h).error, "request is not valid JSON");
  EXPECT_EQ(served(R"({"version":2,"command":"status"})", 0, h).error,
            "daemon speaks control protocol 1, client sent 2");
  EXPECT_EQ(served(R"({"version":1,"command":"halt"})", 0, h).error,
            "unknown command \"halt\" (known: status, peers, down, netcheck)");
  EXPECT_EQ(served(std::string(10000, '{'), 0, h).error,
            "request too long (10000 bytes; the limit is 4096)");
  EXPECT_EQ(served(std::string("\xff\xfe\x00", 3), 0, h).error, "request is not valid JSON");
  EXPECT_EQ(h.status_calls + h.shutdown_calls, 0);
}

TEST(ControlServe, OversizedStatusBecomesAnError) {
  FakeHandler h;
  MemberStatus m;
  m.admitted_by = std::string(1 << 16, 'x');
  h.report.members.assign(80, m);  // > 4 MiB once encoded
  Response r = served(encode_request({}), 0, h);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error.rfind("status too large to send (", 0), 0u) << r.error;
}

}  // namespace
}  // namespace mw::control
