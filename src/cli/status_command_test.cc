// SPDX-License-Identifier: Apache-2.0
// `meshward status`, `peers` and `down` against a fake daemon: a thread serving the control
// socket with control::serve and a fake Handler. Checks the text and JSON output, the stop
// request, the not-running error, and a refused caller.
#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>
#include <thread>

#include "base/testing/temp_dir.h"
#include "cli/testing/cli_runner.h"
#include "control/protocol.h"
#include "control/status_json.h"
#include "os/unix_socket.h"

namespace mw::cli {
namespace {

using testing::TempConfig;
constexpr int64_t kNow = 1'800'000'000;

class TempDir : public base::testing::TempDir {
 public:
  TempDir() : base::testing::TempDir("mw-control-test") {}
};

class FakeHandler : public control::Handler {
 public:
  control::StatusReport status() override { return report; }
  void shutdown() override { ++shutdowns; }
  control::StatusReport report;
  std::atomic<int> shutdowns{0};
};

// Serves the control protocol on a temporary socket until destroyed. With `pretend_uid`, every
// caller is treated as that uid and the daemon as uid 1000, to exercise refusals.
class FakeDaemon {
 public:
  explicit FakeDaemon(std::optional<uint32_t> pretend_uid = std::nullopt)
      : pretend_uid_(pretend_uid) {
    path_ = dir_.path() + "/meshward.sock";
    listener_ = std::move(os::UnixListener::listen(path_).value());
    thread_ = std::thread([this] { loop(); });
  }
  ~FakeDaemon() {
    stop_ = true;
    thread_.join();
  }
  const std::string& path() const { return path_; }
  FakeHandler handler;

 private:
  void loop() {
    while (!stop_) {
      pollfd p{listener_.fd(), POLLIN, 0};
      if (poll(&p, 1, 20) != 1) continue;
      base::UniqueFd c = listener_.accept();
      if (c.valid()) answer(c.get());
    }
  }
  void answer(int fd) {
    std::string in;
    while (in.find('\n') == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 2000) != 1 || !os::read_available(fd, in, control::kMaxRequestLen + 2)) break;
    }
    control::Caller caller;
    if (auto cred = os::peer_credentials(fd)) caller = {cred->uid, cred->gid, cred->pid};
    uint32_t daemon_uid = getuid();
    if (pretend_uid_) {
      caller.uid = *pretend_uid_;
      daemon_uid = 1000;
    }
    std::string out = control::serve(in.substr(0, in.find('\n')), caller, daemon_uid, handler);
    while (!out.empty()) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, 2000) != 1 || !os::write_some(fd, out)) break;
    }
  }

  std::optional<uint32_t> pretend_uid_;
  TempDir dir_;  // declared before listener_ so it is removed after the listener closes
  std::string path_;
  os::UnixListener listener_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

control::MemberStatus member(std::string name, char key, std::string state) {
  control::MemberStatus m;
  m.identity = std::string(43, key) + "=";
  m.name = std::move(name);
  m.state = std::move(state);
  m.ipv4 = "10.99.0.1";
  m.ipv6 = "fd99::1";
  return m;
}

control::StatusReport sample_report() {
  control::StatusReport s;
  s.version = "0.1.0";
  s.identity = std::string(43, 'S') + "=";
  s.interface = "mw0";
  s.ipv4 = "10.99.1.2";
  s.ipv6 = "fd99::1:2";
  s.port = 51820;
  s.incarnation = 4;
  s.started_unix = kNow - 7500;
  s.data_path = "epoll, TUN offload TSO+USO, UDP GSO on, UDP GRO on";
  auto laptop = member("laptop", 'L', "alive");
  laptop.endpoint = "192.0.2.7:51820";
  laptop.path = "direct";
  laptop.ipv4 = "10.99.3.4";
  laptop.last_handshake_unix = kNow - 12;
  laptop.rx_bytes = 1536;
  laptop.tx_bytes = 5 * 1024 * 1024 + 300 * 1024;
  laptop.rtt_ms = 3.25;
  auto twin = member("", 'T', "suspect");
  twin.ipv4 = "10.99.3.4";
  twin.ipv4_routed = false;
  twin.ipv4_note = "10.99.3.4 is also laptop's; reach it on fd99::1";
  twin.rx_bytes = 10;
  twin.path = "indirect";
  auto gone = member("old", 'O', "dead");
  gone.last_handshake_unix = kNow - 3 * 86400 - 2 * 3600;
  s.members = {laptop, twin, gone};
  return s;
}

TEST(CliStatus, PrintsSummaryAndMemberTable) {
  FakeDaemon d;
  d.handler.report = sample_report();
  TempConfig c;
  auto r = c.run({"status", "--socket", d.path()}, "", false, kNow);
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(
      r.out,
      "meshward 0.1.0, up 2h 5m\n"
      "identity:    SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS=\n"
      "interface:   mw0\n"
      "addresses:   10.99.1.2, fd99::1:2\n"
      "port:        51820\n"
      "data path:   epoll, TUN offload TSO+USO, UDP GSO on, UDP GRO on\n"
      "incarnation: 4\n"
      "members:     3 (1 alive, 1 suspect, 1 dead)\n"
      "\n"
      "NAME    KEY       STATE    PATH      ENDPOINT         MESH IPV4                          "
      "HANDSHAKE  RX       TX       RTT\n"
      "laptop  LLLLLLLL  alive    direct    192.0.2.7:51820  10.99.3.4                          "
      "12s ago    1.5 KiB  5.3 MiB  3.2 ms\n"
      "-       TTTTTTTT  suspect  indirect  -                10.99.3.4 (collision, not routed)  "
      "never      10 B     0 B      -\n"
      "old     OOOOOOOO  dead     -         -                10.99.0.1                          "
      "3d 2h ago  0 B      0 B      -\n"
      "note: - (TTTTTTTT): 10.99.3.4 is also laptop's; reach it on fd99::1\n");
}

TEST(CliStatus, GossipOnlyAndNoMembers) {
  FakeDaemon d;
  d.handler.report.version = "0.1.0";
  d.handler.report.interface = "mw0";
  d.handler.report.gossip_only = true;
  TempConfig c;
  auto r = c.run({"status", "--socket", d.path()}, "", false, kNow);
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("interface:   mw0 (gossip only)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("members:     0\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("NAME"), std::string::npos);
  auto peers = c.run({"peers", "--socket", d.path()}, "", false, kNow);
  EXPECT_EQ(peers.out, "no members\n");
}

TEST(CliStatus, JsonIsTheReport) {
  FakeDaemon d;
  d.handler.report = sample_report();
  TempConfig c;
  auto r = c.run({"status", "--json", "--socket", d.path()});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_NE(r.out.find("\n  \"data_path\""), std::string::npos) << "pretty-printed";
  EXPECT_EQ(control::status_from_json(j).value(), sample_report());
}

TEST(CliPeers, TableAndJson) {
  FakeDaemon d;
  d.handler.report = sample_report();
  TempConfig c;
  auto r = c.run({"peers", "--socket", d.path()}, "", false, kNow);
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out.rfind("NAME    KEY", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nlaptop  LLLLLLLL  alive"), std::string::npos);
  EXPECT_EQ(r.out.find("identity:"), std::string::npos) << "no summary";
  auto js = c.run({"peers", "--json", "--socket", d.path()});
  ASSERT_EQ(js.rc, kExitOk) << js.err;
  auto j = nlohmann::json::parse(js.out, nullptr, false);
  ASSERT_TRUE(j.is_array()) << js.out;
  ASSERT_EQ(j.size(), 3u);
  EXPECT_EQ(j[0]["name"], "laptop");
  EXPECT_EQ(j[1]["ipv4_routed"], false);
  EXPECT_EQ(j[2]["rtt_ms"], nullptr);
}

TEST(CliDown, StopsTheDaemon) {
  FakeDaemon d;
  TempConfig c;
  auto r = c.run({"down", "--socket", d.path()});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out, "meshward stopped\n");
  EXPECT_EQ(d.handler.shutdowns, 1);
}

TEST(CliControl, NotRunning) {
  TempDir dir;
  std::string path = dir.path() + "/meshward.sock";
  TempConfig c;
  for (const char* cmd : {"status", "peers", "down"}) {
    auto r = c.run({cmd, "--socket", path});
    EXPECT_EQ(r.rc, kExitError) << cmd;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "error: cannot connect to " + path +
                         ": No such file or directory (is `meshward up` running?)\n")
        << cmd;
  }
}

TEST(CliControl, SocketFromEnvironment) {
  FakeDaemon d;
  d.handler.report = sample_report();
  setenv("MESHWARD_SOCKET", d.path().c_str(), 1);
  TempConfig c;
  auto r = c.run({"peers"}, "", false, kNow);
  unsetenv("MESHWARD_SOCKET");
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("laptop"), std::string::npos);
}

TEST(CliControl, RefusedCallerSeesTheDaemonsReason) {
  FakeDaemon d(/*pretend_uid=*/4242);
  TempConfig c;
  for (const char* cmd : {"status", "peers", "down"}) {
    auto r = c.run({cmd, "--socket", d.path()});
    EXPECT_EQ(r.rc, kExitError) << cmd;
    EXPECT_EQ(r.err, "error: permission denied: uid 4242\n") << cmd;
  }
  EXPECT_EQ(d.handler.shutdowns, 0);
}

// An empty socket path would leave a daemon without a reachable control socket, and a client
// talking to nothing: refused with a one-line error, by every command.
TEST(CliControl, EmptySocketPathsAreRefused) {
  TempConfig c;
  for (const char* cmd : {"status", "peers", "down"}) {
    auto r = c.run({cmd, "--socket", ""});
    EXPECT_EQ(r.rc, kExitError) << cmd;
    EXPECT_EQ(r.err.rfind("error: --socket: an empty path;", 0), 0u) << r.err;
  }
  ASSERT_EQ(c.run({"keygen"}).rc, kExitOk);
  auto up = c.run({"up", "--socket", ""});
  EXPECT_EQ(up.rc, kExitError);
  EXPECT_EQ(up.err.rfind("error: --socket: an empty path;", 0), 0u) << up.err;
  setenv("MESHWARD_SOCKET", "", 1);
  auto r = c.run({"status"});
  unsetenv("MESHWARD_SOCKET");
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_EQ(r.err,
            "error: MESHWARD_SOCKET is set but empty; unset it or set it to the control "
            "socket's path\n");
}

TEST(CliControl, UsageErrors) {
  TempConfig c;
  EXPECT_EQ(c.run({"down", "--json"}).rc, kExitUsage);
  EXPECT_EQ(c.run({"status", "--socket"}).rc, kExitUsage);
  EXPECT_EQ(c.run({"peers", "extra"}).rc, kExitUsage);
}

}  // namespace
}  // namespace mw::cli
