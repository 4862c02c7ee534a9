// SPDX-License-Identifier: Apache-2.0
#include "node/testing/loop_rig.h"

#include "os/unix_socket.h"

namespace mw::node::testing {

LoopRig::LoopRig() {
  dp::testing::FakeIoOptions o;
  o.address = *base::Endpoint::parse("10.9.0.1:51820");
  o.tun = false;
  io_ = std::make_unique<dp::testing::FakeIo>(network_, o);
  dp::EngineOptions e;
  e.handshake_thread = false;
  engine_ = std::make_unique<dp::Engine>(*io_, e, wg::DeviceConfig{});
  auto created = EventLoop::create(*io_, *engine_);
  if (created) loop_ = std::move(created.value());  // FakeIo's ports cannot fail to be watched
}

bool LoopRig::settle(base::Instant now) {
  for (int i = 0; i < 100; ++i) {
    auto r = loop_->turn(now);
    if (!r) return false;
    if (!*r && i >= 1) break;
  }
  return true;
}

base::UniqueFd connect_client(const std::string& path) {
  auto fd = os::connect_unix(path);
  return fd ? std::move(fd.value()) : base::UniqueFd();
}

bool send_all(int fd, std::string_view s) {
  std::string rest(s);
  return os::write_some(fd, rest) && rest.empty();
}

std::string received(int fd) {
  std::string out;
  if (os::read_bounded(fd, out, 1 << 20) == os::ReadStatus::kOpen) out += "<open>";
  return out;
}

}  // namespace mw::node::testing
