// SPDX-License-Identifier: Apache-2.0
// UAPI unix socket: listen, accept, non-blocking reads and writes.
#include "os/unix_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mw::os {
namespace {

socklen_t make_addr(const std::string& path, sockaddr_un* a) {
  std::memset(a, 0, sizeof(*a));
  a->sun_family = AF_UNIX;
  std::memcpy(a->sun_path, path.data(), path.size());
  return socklen_t(offsetof(sockaddr_un, sun_path) + path.size() + 1);
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

bool read_available(int fd, std::string& buffer, size_t max_buffer) {
  char chunk[16384];
  while (true) {
    ssize_t r = ::read(fd, chunk, sizeof(chunk));
    if (r > 0) {
      if (buffer.size() + size_t(r) > max_buffer) return false;
      buffer.append(chunk, size_t(r));
      continue;
    }
    if (r == 0) return false;
    return errno == EAGAIN || errno == EINTR;
  }
}

bool write_some(int fd, std::string& buffer) {
  while (!buffer.empty()) {
    ssize_t w = ::send(fd, buffer.data(), buffer.size(), MSG_NOSIGNAL);
    if (w < 0) return errno == EAGAIN || errno == EINTR;
    buffer.erase(0, size_t(w));
  }
  return true;
}

}  // namespace mw::os
