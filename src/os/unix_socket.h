// SPDX-License-Identifier: Apache-2.0
// The UAPI control socket: a listening AF_UNIX stream socket at a path (directory 0755, socket
// 0600, as wireguard-go), and non-blocking I/O on accepted connections.
#pragma once

#include <string>

#include "base/result.h"
#include "base/unique_fd.h"

namespace mw::os {

class UnixListener {
 public:
  // Creates the directory if needed, refuses to take over a socket a live process still serves
  // (EADDRINUSE), replaces a stale one, and listens.
  static base::Result<UnixListener> listen(const std::string& path);
  UnixListener() = default;
  UnixListener(UnixListener&&) = default;
  UnixListener& operator=(UnixListener&&) = default;
  ~UnixListener();  // unlinks the path

  int fd() const { return fd_.get(); }
  const std::string& path() const { return path_; }
  // A non-blocking accepted connection, or an invalid fd when none is pending.
  base::UniqueFd accept();

 private:
  base::UniqueFd fd_;
  std::string path_;
};

// Reads what is available (non-blocking) and appends it to `buffer`. Returns false when the
// peer closed or the connection failed.
bool read_available(int fd, std::string& buffer, size_t max_buffer);
// Writes as much of `buffer` as the socket takes and erases it from the front. Returns false
// when the connection failed.
bool write_some(int fd, std::string& buffer);

}  // namespace mw::os
