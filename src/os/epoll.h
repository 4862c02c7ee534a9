// SPDX-License-Identifier: Apache-2.0
// A thin epoll wrapper: register fds with a 64-bit tag, wait with a timeout.
#pragma once

#include <cstdint>
#include <span>

#include "base/result.h"
#include "base/time.h"
#include "base/unique_fd.h"

namespace mw::os {

struct PollEvent {
  uint64_t tag = 0;
  bool readable = false;
  bool writable = false;
  bool error = false;  // EPOLLERR or EPOLLHUP
};

class Epoll {
 public:
  static base::Result<Epoll> create();
  // Level-triggered interest in readability (unless `readable` is false) and writability
  // (when `writable`). Errors and hang-ups are always reported.
  base::Result<void> add(int fd, uint64_t tag, bool writable = false, bool readable = true);
  base::Result<void> modify(int fd, uint64_t tag, bool writable, bool readable = true);
  void remove(int fd);
  // Waits at most `timeout` (negative: forever); returns the number of events filled.
  base::Result<size_t> wait(std::span<PollEvent> events, base::Duration timeout);

 private:
  base::UniqueFd fd_;
};

}  // namespace mw::os
