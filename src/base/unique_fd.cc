// SPDX-License-Identifier: Apache-2.0
// UniqueFd::reset closes the old descriptor.
#include "base/unique_fd.h"

#include <unistd.h>

namespace mw::base {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace mw::base
