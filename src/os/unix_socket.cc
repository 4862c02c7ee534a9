// SPDX-License-Identifier: Apache-2.0
// Stream sockets for UAPI and meshward control (listen, accept, non-blocking reads and writes,
// peer credentials, the blocking one-request client) and the metrics TCP listener.
#include "os/unix_socket.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>

#include "os/socket_address.h"

namespace mw::os {
namespace {

socklen_t make_addr(const std::string& path, sockaddr_un* a) {
  std::memset(a, 0, sizeof(*a));
  a->sun_family = AF_UNIX;
  std::memcpy(a->sun_path, path.data(), path.size());
  return socklen_t(offsetof(sockaddr_un, sun_path) + path.size() + 1);
}

int64_t monotonic_nanos() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Waits for `events` on `fd` until `deadline` (CLOCK_MONOTONIC nanos); false on timeout.
base::Result<bool> wait_for(int fd, short events, int64_t deadline) {
  while (true) {
    int64_t left = deadline - monotonic_nanos();
    if (left <= 0) return false;
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, int(std::min<int64_t>((left + 999'999) / 1'000'000, 60'000)));
    if (r > 0) return true;
    if (r < 0 && errno != EINTR) return base::Error::from_errno("poll");
  }
}

base::Error connect_error(const std::string& path, int err) {
  std::string hint;
  if (err == ENOENT || err == ECONNREFUSED) hint = " (is `meshward up` running?)";
  if (err == EACCES || err == EPERM) hint = " (run it as root or as the daemon's user)";
  return base::Error(fmt::format("cannot connect to {}: {}{}", path, std::strerror(err), hint),
                     err);
}

}  // namespace

base::Result<UnixListener> UnixListener::listen(const std::string& path) {
  sockaddr_un addr;
  if (path.size() >= sizeof(addr.sun_path))
    return base::make_error("socket path too long: {}", path);
  auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    std::string dir = path.substr(0, slash);
    if (mkdir(dir.c_str(), 0755) == 0) {
      chmod(dir.c_str(), 0755);  // the umask must not make it unreadable to wg(8) users
    } else if (errno != EEXIST) {
      return base::Error::from_errno("mkdir " + dir);
    }
  }
  socklen_t len = make_addr(path, &addr);
  // A live daemon still answers on the path: do not steal its socket.
  base::UniqueFd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (probe.valid() && ::connect(probe.get(), reinterpret_cast<sockaddr*>(&addr), len) == 0)
    return base::Error(fmt::format("{} is in use by a running daemon", path), EADDRINUSE);
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return base::make_error("{} exists and is not a socket; refusing to replace it", path);
    unlink(path.c_str());
  }
  UnixListener l;
  l.fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!l.fd_.valid()) return base::Error::from_errno("socket(AF_UNIX)");
  mode_t old = umask(0177);  // the socket is created 0600, never chmod-ed after
  int r = ::bind(l.fd_.get(), reinterpret_cast<sockaddr*>(&addr), len);
  umask(old);
  if (r < 0) return base::Error::from_errno("bind " + path);
  if (::listen(l.fd_.get(), 16) < 0) return base::Error::from_errno("listen " + path);
  l.path_ = path;
  return l;
}

UnixListener::~UnixListener() {
  if (fd_.valid() && !path_.empty()) unlink(path_.c_str());
}

base::UniqueFd UnixListener::accept() {
  return base::UniqueFd(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
}

base::Result<base::UniqueFd> accept_connection(int listen_fd) {
  while (true) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0) return base::UniqueFd(fd);
    switch (errno) {
      case EAGAIN: return base::UniqueFd();
      case EINTR:
      case ECONNABORTED:  // gone before we took it
      case EPROTO: continue;
      default: return base::Error::from_errno("accept");
    }
  }
}

ReadStatus read_bounded(int fd, std::string& buffer, size_t max_buffer) {
  char chunk[16384];
  while (true) {
    size_t room = max_buffer > buffer.size() ? max_buffer - buffer.size() : 0;
    // One byte more than there is room for tells "over the limit" from "exactly at it".
    ssize_t r = ::read(fd, chunk, std::min(sizeof(chunk), room + 1));
    if (r > 0) {
      if (size_t(r) > room) return ReadStatus::kOverLimit;
      buffer.append(chunk, size_t(r));
      continue;
    }
    if (r == 0) return ReadStatus::kClosed;
    return errno == EAGAIN || errno == EINTR ? ReadStatus::kOpen : ReadStatus::kClosed;
  }
}

bool read_available(int fd, std::string& buffer, size_t max_buffer) {
  return read_bounded(fd, buffer, max_buffer) == ReadStatus::kOpen;
}

bool write_some(int fd, std::string& buffer) {
  while (!buffer.empty()) {
    ssize_t w = ::send(fd, buffer.data(), buffer.size(), MSG_NOSIGNAL);
    if (w < 0) return errno == EAGAIN || errno == EINTR;
    buffer.erase(0, size_t(w));
  }
  return true;
}

base::Result<PeerCredentials> peer_credentials(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
    return base::Error::from_errno("getsockopt(SO_PEERCRED)");
  return PeerCredentials{cred.uid, cred.gid, cred.pid};
}

base::Result<base::UniqueFd> connect_unix(const std::string& path) {
  sockaddr_un addr;
  if (path.size() >= sizeof(addr.sun_path))
    return base::make_error("socket path too long: {}", path);
  socklen_t len = make_addr(path, &addr);
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Error::from_errno("socket(AF_UNIX)");
  while (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0)
    if (errno != EINTR) return connect_error(path, errno);
  return fd;
}

base::Result<std::string> unix_request(const std::string& path, std::string_view request,
                                       base::Duration timeout, size_t max_response_len) {
  sockaddr_un addr;
  if (path.size() >= sizeof(addr.sun_path))
    return base::make_error("socket path too long: {}", path);
  int64_t deadline = monotonic_nanos() + timeout.to_nanos();
  std::string no_answer = fmt::format("no answer from {} within {}s", path, timeout.to_seconds_f());
  socklen_t len = make_addr(path, &addr);
  base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return base::Error::from_errno("socket(AF_UNIX)");
  // For AF_UNIX, EAGAIN means the listener's backlog is full and nothing is in progress:
  // connect again until there is room or the deadline passes.
  while (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), len) < 0) {
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return connect_error(path, errno);
    if (monotonic_nanos() >= deadline) return base::Error(no_answer, ETIMEDOUT);
    ::usleep(2000);
  }
  while (!request.empty()) {
    ssize_t w = ::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL);
    if (w >= 0) {
      request.remove_prefix(size_t(w));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return base::Error::from_errno("send to " + path);
    auto ready = wait_for(fd.get(), POLLOUT, deadline);
    if (!ready) return ready.error();
    if (!*ready) return base::Error(no_answer, ETIMEDOUT);
  }
  std::string response;
  char chunk[16384];
  while (true) {
    ssize_t r = ::recv(fd.get(), chunk, sizeof(chunk), 0);
    if (r > 0) {
      response.append(chunk, size_t(r));
      size_t nl = response.find('\n');
      if (nl != std::string::npos && nl <= max_response_len) return response.substr(0, nl);
      if (response.size() > max_response_len)
        return base::make_error("answer from {} is longer than {} bytes", path, max_response_len);
      continue;
    }
    if (r == 0) {
      if (response.empty())
        return base::make_error("{} closed the connection without an answer", path);
      return response;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return base::Error::from_errno("receive from " + path);
    auto ready = wait_for(fd.get(), POLLIN, deadline);
    if (!ready) return ready.error();
    if (!*ready) return base::Error(no_answer, ETIMEDOUT);
  }
}

base::Result<TcpListener> TcpListener::listen(const base::Endpoint& address) {
  if (address.empty()) return base::make_error("listen: no address given");
  bool v6 = address.address.is_v6();
  std::string where = address.to_string();
  TcpListener l;
  l.fd_.reset(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!l.fd_.valid()) return base::Error::from_errno("socket for " + where);
  int one = 1;
  if (setsockopt(l.fd_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
    return base::Error::from_errno("setsockopt(SO_REUSEADDR) for " + where);
  if (v6 && setsockopt(l.fd_.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0)
    return base::Error::from_errno("setsockopt(IPV6_V6ONLY) for " + where);
  sockaddr_storage sa;
  socklen_t len = to_sockaddr(address, v6, &sa);
  if (::bind(l.fd_.get(), reinterpret_cast<sockaddr*>(&sa), len) < 0)
    return base::Error::from_errno("bind TCP " + where);
  if (::listen(l.fd_.get(), 64) < 0) return base::Error::from_errno("listen on TCP " + where);
  len = sizeof(sa);
  if (getsockname(l.fd_.get(), reinterpret_cast<sockaddr*>(&sa), &len) < 0)
    return base::Error::from_errno("getsockname");
  l.port_ = from_sockaddr(sa).port;
  return l;
}

base::UniqueFd TcpListener::accept() {
  return base::UniqueFd(::accept4(fd_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
}

}  // namespace mw::os
