// SPDX-License-Identifier: Apache-2.0
// Epoll over epoll_create1/epoll_ctl/epoll_wait.
#include "os/epoll.h"

#include <sys/epoll.h>

#include <array>
#include <cerrno>

namespace mw::os {

base::Result<Epoll> Epoll::create() {
  Epoll e;
  e.fd_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!e.fd_.valid()) return base::Error::from_errno("epoll_create1");
  return e;
}

base::Result<void> Epoll::add(int fd, uint64_t tag, bool writable, bool readable) {
  epoll_event ev{};
  ev.events = (readable ? uint32_t(EPOLLIN) : 0u) | (writable ? uint32_t(EPOLLOUT) : 0u);
  ev.data.u64 = tag;
  if (epoll_ctl(fd_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) return base::Error::from_errno("epoll_ctl");
  return {};
}

base::Result<void> Epoll::modify(int fd, uint64_t tag, bool writable, bool readable) {
  epoll_event ev{};
  ev.events = (readable ? uint32_t(EPOLLIN) : 0u) | (writable ? uint32_t(EPOLLOUT) : 0u);
  ev.data.u64 = tag;
  if (epoll_ctl(fd_.get(), EPOLL_CTL_MOD, fd, &ev) < 0) return base::Error::from_errno("epoll_ctl");
  return {};
}

void Epoll::remove(int fd) { epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr); }

base::Result<size_t> Epoll::wait(std::span<PollEvent> events, base::Duration timeout) {
  std::array<epoll_event, 64> raw;
  int max = int(std::min(events.size(), raw.size()));
  int ms = -1;
  if (timeout >= base::Duration::zero()) {
    // Round up so that a deadline 0.3 ms away does not spin.
    int64_t t = (timeout.to_nanos() + 999'999) / 1'000'000;
    ms = int(std::min<int64_t>(t, 60'000));
  }
  int n = epoll_wait(fd_.get(), raw.data(), max, ms);
  if (n < 0) {
    if (errno == EINTR) return size_t{0};
    return base::Error::from_errno("epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    events[i].tag = raw[i].data.u64;
    events[i].readable = raw[i].events & EPOLLIN;
    events[i].writable = raw[i].events & EPOLLOUT;
    events[i].error = raw[i].events & (EPOLLERR | EPOLLHUP);
  }
  return size_t(n);
}

}  // namespace mw::os
