// SPDX-License-Identifier: Apache-2.0
// `meshward netcheck` without a daemon: what it hands the probe, how it prints the report, and
// its exit code when no STUN server answered.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/testing/cli_runner.h"

namespace mw::cli {
namespace {

using testing::TempConfig;

// A socket path where no daemon listens.
std::vector<std::string> no_daemon(const TempConfig& c, std::vector<std::string> args) {
  args.insert(args.begin(), {"netcheck", "--socket", c.path("none.sock")});
  return args;
}

control::NetcheckReport probed(const std::string& status) {
  control::NetcheckReport r;
  r.source = "standalone";
  r.port = 40000;
  r.mapping_v4 = "endpoint-independent";
  r.filtering_v4 = "address-and-port-dependent";
  control::StunServerReport s;
  s.server = "10.99.0.10:3478";
  s.address = "10.99.0.10:3478";
  s.status = status;
  if (status == "ok") s.mapped = "10.99.1.1:40000";
  r.stun.push_back(s);
  return r;
}

TEST(CliNetcheck, WithoutDaemonOrServerSaysWhatToGive) {
  TempConfig c;
  auto r = c.run(no_daemon(c, {}));
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_NE(r.err.find("no STUN server is configured"), std::string::npos) << r.err;
}

TEST(CliNetcheck, ProbesTheGivenServersAndPrintsTheFiltering) {
  TempConfig c;
  NetcheckRequest seen;
  c.set_netcheck_runner([&](const NetcheckRequest& q) -> base::Result<control::NetcheckReport> {
    seen = q;
    return probed("ok");
  });
  auto r = c.run(no_daemon(c, {"--stun", "10.99.0.10", "--port", "40000", "--timeout", "3"}));
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  ASSERT_EQ(seen.stun.size(), 1u);
  EXPECT_EQ(seen.stun[0].rfind("10.99.0.10", 0), 0u) << seen.stun[0];
  EXPECT_EQ(seen.port, 40000);
  EXPECT_EQ(seen.timeout, base::Duration::seconds(3));
  EXPECT_NE(r.out.find("filtering:     IPv4 address-and-port-dependent"), std::string::npos)
      << r.out;
  auto j = c.run(no_daemon(c, {"--stun", "10.99.0.10", "--json"}));
  ASSERT_EQ(j.rc, kExitOk) << j.err;
  auto parsed = nlohmann::json::parse(j.out);
  EXPECT_EQ(parsed["filtering_v4"], "address-and-port-dependent");
  EXPECT_EQ(parsed["mapping_v4"], "endpoint-independent");
}

TEST(CliNetcheck, NoServerAnsweredExitsOneAfterTheReport) {
  TempConfig c;
  c.set_netcheck_runner([](const NetcheckRequest&) -> base::Result<control::NetcheckReport> {
    return probed("timeout");
  });
  auto r = c.run(no_daemon(c, {"--stun", "10.99.0.10", "--timeout", "2"}));
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_NE(r.out.find("10.99.0.10:3478 (10.99.0.10:3478): timeout"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("no STUN server answered within 2 s"), std::string::npos) << r.err;
}

TEST(CliNetcheck, AProbeThatFailsIsAnError) {
  TempConfig c;
  c.set_netcheck_runner([](const NetcheckRequest&) -> base::Result<control::NetcheckReport> {
    return base::make_error("UDP port 1: Permission denied");
  });
  auto r = c.run(no_daemon(c, {"--stun", "10.99.0.10", "--port", "1"}));
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_NE(r.err.find("UDP port 1"), std::string::npos) << r.err;
}

TEST(CliNetcheck, BadTimeoutIsRefused) {
  TempConfig c;
  auto r = c.run(no_daemon(c, {"--stun", "10.99.0.10", "--timeout", "0"}));
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_NE(r.err.find("--timeout"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace mw::cli
