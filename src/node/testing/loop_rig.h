// SPDX-License-Identifier: Apache-2.0
// LoopRig: one real EventLoop over a real dp::Engine and a dp::testing::FakeIo (no TUN), for
// tests of the node's servers: their listeners and connections are real fds, which FakeIo
// watches through a real epoll, so real clients can talk to them while the test turns the
// loop at the instants it chooses.
#pragma once

#include <memory>
#include <string>

#include "base/testing/temp_dir.h"
#include "dataplane/engine.h"
#include "dataplane/testing/fake_io.h"
#include "node/event_loop.h"

namespace mw::node::testing {

class LoopRig {
 public:
  LoopRig();
  // Turns until nothing is ready (at most 100 turns), at `now`; at least twice, since a turn's
  // deadlines (a listener resuming) come after its events. False when a turn failed.
  bool settle(base::Instant now);
  EventLoop& loop() { return *loop_; }
  dp::testing::FakeIo& io() { return *io_; }
  // The fake network the rig's port is on (other FakeIos may join it).
  dp::testing::FakeNetwork& network() { return network_; }
  // A path for a socket in the rig's own temporary directory.
  std::string socket_path(const std::string& name) const { return dir_.path() + "/" + name; }

 private:
  base::testing::TempDir dir_{"mw-loop-rig"};
  dp::testing::FakeNetwork network_;
  std::unique_ptr<dp::testing::FakeIo> io_;
  std::unique_ptr<dp::Engine> engine_;
  std::unique_ptr<EventLoop> loop_;
};

// A non-blocking client connected to the unix socket at `path` (invalid when it cannot).
base::UniqueFd connect_client(const std::string& path);
// Writes all of `s`; false when the socket took less.
bool send_all(int fd, std::string_view s);
// What has arrived, without waiting; "<open>" appended while the connection is open (a reset,
// when the server closed with our bytes unread, counts as closed).
std::string received(int fd);

}  // namespace mw::node::testing
