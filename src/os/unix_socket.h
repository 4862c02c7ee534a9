// SPDX-License-Identifier: Apache-2.0
// The daemon's stream endpoints: a listening AF_UNIX control socket at a path (directory 0755,
// socket 0600, as wireguard-go), non-blocking I/O on accepted connections, the peer's
// credentials, a blocking client for one request and its one-line answer, and the TCP listener
// of the metrics endpoint.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/ip_address.h"
#include "base/result.h"
#include "base/time.h"
#include "base/unique_fd.h"

namespace mw::os {

// Accepts a pending connection on a listening socket, non-blocking: an invalid fd when none is
// pending (a connection aborted before it was accepted counts as none), an error naming the
// cause when accept() fails otherwise (out of descriptors or memory).
base::Result<base::UniqueFd> accept_connection(int listen_fd);

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
  // The same, but an accept() failure other than "none pending" (EMFILE, ENFILE, ENOBUFS,
  // ENOMEM, ...) is an error, so that a server can stop trying for a while.
  base::Result<base::UniqueFd> try_accept() { return accept_connection(fd_.get()); }

 private:
  base::UniqueFd fd_;
  std::string path_;
};

enum class ReadStatus : uint8_t {
  kOpen,       // read what there was; the connection stays open
  kClosed,     // the peer closed, or the connection failed
  kOverLimit,  // more arrived than `max_buffer` allows (what was read may be kept or not)
};
// Reads what is available (non-blocking) and appends it to `buffer`, which never grows past
// `max_buffer`.
ReadStatus read_bounded(int fd, std::string& buffer, size_t max_buffer);
// read_bounded, as a bool: false when the peer closed, the connection failed or `buffer` would
// pass `max_buffer`.
bool read_available(int fd, std::string& buffer, size_t max_buffer);
// Writes as much of `buffer` as the socket takes and erases it from the front. Returns false
// when the connection failed.
bool write_some(int fd, std::string& buffer);

// Who is on the other end of a connected unix socket, as the kernel recorded it at connect().
struct PeerCredentials {
  uint32_t uid = 0;
  uint32_t gid = 0;
  int32_t pid = 0;
};
// SO_PEERCRED of a connected AF_UNIX socket.
base::Result<PeerCredentials> peer_credentials(int fd);

// A non-blocking stream socket connected to the unix socket at `path` (the listener's backlog
// must have room).
base::Result<base::UniqueFd> connect_unix(const std::string& path);

// A blocking client exchange: connects to the stream socket at `path`, writes `request`, and
// reads until the first '\n' (returned without it) or EOF, all within `timeout`. Errors say what
// to do: "cannot connect to <path>: No such file or directory (is `meshward up` running?)",
// "... Permission denied (run it as root or as the daemon's user)", "no answer from <path>
// within 5s", and a response over `max_response_len` is refused.
base::Result<std::string> unix_request(const std::string& path, std::string_view request,
                                       base::Duration timeout, size_t max_response_len);

// A non-blocking listening TCP socket (SO_REUSEADDR), for the metrics endpoint.
class TcpListener {
 public:
  // Binds `address` (port 0 picks one; an IPv6 address listens on IPv6 only) and listens.
  static base::Result<TcpListener> listen(const base::Endpoint& address);
  TcpListener() = default;

  int fd() const { return fd_.get(); }
  // The bound port (the one the kernel picked for port 0).
  uint16_t port() const { return port_; }
  // A non-blocking accepted connection, or an invalid fd when none is pending.
  base::UniqueFd accept();
  // See UnixListener::try_accept.
  base::Result<base::UniqueFd> try_accept() { return accept_connection(fd_.get()); }

 private:
  base::UniqueFd fd_;
  uint16_t port_ = 0;
};

}  // namespace mw::os
