// SPDX-License-Identifier: Apache-2.0
// RequestServer against real unix-socket clients on a real EventLoop (over FakeIo, whose other
// fds are real): requests answered, a full server evicting its idlest connection, requests
// that do not arrive in time closed, an accept() failing for want of descriptors pausing the
// listener instead of spinning the loop, session requests searched once as they grow, and the
// bytes all connections buffer capped.
#include "node/request_server.h"

#include <gtest/gtest.h>

#include <cerrno>

#include "base/testing/temp_dir.h"
#include "node/testing/loop_rig.h"

namespace mw::node {
namespace {

using base::Duration;
using base::Instant;

const Instant kT0 = Instant::from_nanos(1'000'000'000'000);

using testing::connect_client;
using testing::received;

void send_all(int fd, std::string_view s) { EXPECT_TRUE(testing::send_all(fd, s)); }

base::UniqueFd connect_to(const std::string& path) {
  base::UniqueFd fd = connect_client(path);
  EXPECT_TRUE(fd.valid()) << path;
  return fd;
}

// A one-shot server answering "got <request>" to a line, on a LoopRig.
struct Rig {
  explicit Rig(RequestServer::Accept accept = nullptr) {
    path = lab.socket_path("s.sock");
    auto listening = os::UnixListener::listen(path);
    EXPECT_TRUE(listening);
    listener = std::move(listening.value());
    if (!accept) accept = [this] { return listener.try_accept(); };
    server.emplace(
        "test", 64, false,
        [](std::string_view in, const os::PeerCredentials*) -> std::optional<std::string> {
          if (in.find('\n') == std::string_view::npos) return std::nullopt;
          return "got " + std::string(in);
        });
    EXPECT_TRUE(server->start(lab.loop(), listener.fd(), std::move(accept)));
  }
  void settle(Instant now) { EXPECT_TRUE(lab.settle(now)); }

  testing::LoopRig lab;
  dp::testing::FakeIo* io = &lab.io();
  std::string path;
  os::UnixListener listener;
  std::optional<RequestServer> server;
};

TEST(RequestServer, AnswersARequestAndCloses) {
  Rig rig;
  base::UniqueFd c = connect_to(rig.path);
  send_all(c.get(), "hello\n");
  rig.settle(kT0);
  EXPECT_EQ(received(c.get()), "got hello\n");
  EXPECT_EQ(rig.server->connection_count(), 0u);
  EXPECT_EQ(rig.server->stats().accepted, 1u);
}

TEST(RequestServer, AFullServerClosesItsIdlestConnectionForANewOne) {
  Rig rig;
  std::vector<base::UniqueFd> idle;
  for (size_t i = 0; i < RequestServer::kMaxConnections; ++i) {
    idle.push_back(connect_to(rig.path));
    rig.settle(kT0 + Duration::millis(int64_t(i)));  // the first is the idlest
  }
  EXPECT_EQ(rig.server->connection_count(), RequestServer::kMaxConnections);
  base::UniqueFd c = connect_to(rig.path);
  send_all(c.get(), "status\n");
  rig.settle(kT0 + Duration::millis(100));
  EXPECT_EQ(received(c.get()), "got status\n") << "the newcomer is served";
  EXPECT_EQ(rig.server->stats().evicted, 1u);
  EXPECT_EQ(received(idle[0].get()), "") << "the idlest was closed";
  EXPECT_EQ(received(idle[1].get()), "<open>") << "the others stay";
}

TEST(RequestServer, ARequestNotCompleteInTimeIsClosed) {
  Rig rig;
  base::UniqueFd slow = connect_to(rig.path);
  send_all(slow.get(), "hel");  // never finished
  rig.settle(kT0);
  EXPECT_EQ(rig.server->next_deadline(), kT0 + RequestServer::kRequestTimeout);
  rig.settle(kT0 + RequestServer::kRequestTimeout - Duration::millis(1));
  EXPECT_EQ(received(slow.get()), "<open>");
  rig.settle(kT0 + RequestServer::kRequestTimeout);
  EXPECT_EQ(received(slow.get()), "");
  EXPECT_EQ(rig.server->stats().timed_out, 1u);
  EXPECT_EQ(rig.server->connection_count(), 0u);
}

// Out of descriptors: accept() fails while the connection waits, so the listener stays
// readable. The server must stop watching it for a while rather than try again on every turn.
TEST(RequestServer, AcceptFailingForWantOfDescriptorsPausesTheListener) {
  int calls = 0;
  bool fail = true;
  Rig* rig_ptr = nullptr;
  Rig rig([&]() -> base::Result<base::UniqueFd> {
    ++calls;
    if (fail) return base::Error("accept", EMFILE);
    return rig_ptr->listener.try_accept();
  });
  rig_ptr = &rig;
  base::UniqueFd c = connect_to(rig.path);
  send_all(c.get(), "hi\n");
  rig.settle(kT0);
  EXPECT_EQ(calls, 1) << "one try, then the listener is left alone";
  EXPECT_FALSE(rig.server->accepting());
  EXPECT_FALSE(rig.io->watching_readable(rig.listener.fd()));
  EXPECT_EQ(rig.server->next_deadline(), kT0 + RequestServer::kFirstPause);
  for (int i = 0; i < 10; ++i) rig.settle(kT0 + Duration::millis(i * 9));
  EXPECT_EQ(calls, 1) << "no busy loop during the pause";
  // Still failing: the pause doubles.
  rig.settle(kT0 + RequestServer::kFirstPause);
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(rig.server->next_deadline(),
            kT0 + RequestServer::kFirstPause + RequestServer::kFirstPause * 2);
  // Descriptors are back: the waiting client is served.
  fail = false;
  rig.settle(kT0 + RequestServer::kFirstPause * 3);
  EXPECT_TRUE(rig.server->accepting());
  EXPECT_EQ(received(c.get()), "got hi\n");
  EXPECT_EQ(rig.server->stats().accept_paused, 2u);
}

TEST(RequestServer, SessionRequestsAreSearchedOnceAsTheyGrow) {
  base::testing::TempDir dir("mw-request-server");
  Rig rig;
  std::vector<size_t> scanned_seen;
  RequestServer session(
      "session", 1 << 16,
      [&](std::string_view in, size_t scanned, std::string* reply, bool*) -> size_t {
        scanned_seen.push_back(scanned);
        size_t end = in.find("\n\n", scanned > 0 ? scanned - 1 : 0);
        if (end == std::string_view::npos) return 0;
        *reply += "ok\n";
        return end + 2;
      },
      "too big\n");
  auto listener = os::UnixListener::listen(dir.path() + "/t.sock");
  ASSERT_TRUE(listener);
  ASSERT_TRUE(
      session.start(rig.lab.loop(), listener->fd(), [&] { return listener->try_accept(); }));
  base::UniqueFd c = connect_to(dir.path() + "/t.sock");
  for (const char* piece : {"set=1\n", "a=1\n", "b=2\n", "\n"}) {
    send_all(c.get(), piece);
    rig.settle(kT0);
  }
  EXPECT_EQ(received(c.get()), "ok\n<open>");
  // Each byte searched once; after the request was taken, the (empty) rest from its start.
  EXPECT_EQ(scanned_seen, (std::vector<size_t>{0, 6, 10, 14, 0}));
  // Over the limit: refused with the reply, then closed.
  send_all(c.get(), std::string(70000, 'x'));
  rig.settle(kT0);
  EXPECT_EQ(received(c.get()), "too big\n");
  EXPECT_EQ(session.stats().too_big, 1u);
}

TEST(RequestServer, AllConnectionsTogetherBufferAtMostTheTotal) {
  Rig rig;
  rig.server->set_max_buffered_total(100);
  base::UniqueFd a = connect_to(rig.path);
  base::UniqueFd b = connect_to(rig.path);
  send_all(a.get(), std::string(60, 'a'));  // within the request limit (64), no newline yet
  rig.settle(kT0);
  send_all(b.get(), std::string(50, 'b'));  // 60 + 50 > 100
  rig.settle(kT0);
  EXPECT_EQ(received(b.get()), "") << "refused: the total is taken";
  EXPECT_EQ(rig.server->stats().too_big, 1u);
  send_all(a.get(), "\n");
  rig.settle(kT0);
  EXPECT_EQ(received(a.get()), "got " + std::string(60, 'a') + "\n");
}

}  // namespace
}  // namespace mw::node
