// SPDX-License-Identifier: Apache-2.0
#include "os/event_fd.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace mw::os {

base::Result<base::UniqueFd> make_event_fd() {
  base::UniqueFd fd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!fd.valid()) return base::Error::from_errno("eventfd");
  return fd;
}

void signal_event_fd(int fd) {
  uint64_t one = 1;
  // Fails only when the counter would overflow (it is then readable anyway).
  [[maybe_unused]] ssize_t n = ::write(fd, &one, sizeof(one));
}

bool drain_event_fd(int fd) {
  uint64_t value = 0;
  return ::read(fd, &value, sizeof(value)) == sizeof(value);
}

}  // namespace mw::os
