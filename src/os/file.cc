// SPDX-License-Identifier: Apache-2.0
// Atomic file replacement and careful reads.
#include "os/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/unique_fd.h"

namespace mw::os {
namespace {

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

base::Result<void> write_file_atomic(const std::string& path, std::string_view contents,
                                     unsigned mode) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  unlink(tmp.c_str());
  base::UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (!fd.valid()) return base::Error::from_errno("create " + tmp);
  // open() applies the umask; a mode wider than asked is impossible, a narrower one is fine.
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t w = ::write(fd.get(), contents.data() + done, contents.size() - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      auto e = base::Error::from_errno("write " + tmp);
      unlink(tmp.c_str());
      return e;
    }
    done += size_t(w);
  }
  if (fsync(fd.get()) < 0) {
    auto e = base::Error::from_errno("fsync " + tmp);
    unlink(tmp.c_str());
    return e;
  }
  fd.reset();
  if (rename(tmp.c_str(), path.c_str()) < 0) {
    auto e = base::Error::from_errno("rename " + tmp + " to " + path);
    unlink(tmp.c_str());
    return e;
  }
  base::UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.valid()) fsync(dir.get());
  return {};
}

namespace {

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode) || S_ISBLK(mode)) return "a device";
  return "not a regular file";
}

// Opens `path` for reading without blocking (a FIFO would block the open and every read) and
// refuses anything but a regular file, naming the path and what it is.
base::Result<base::UniqueFd> open_regular(const std::string& path, struct stat* st) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return base::Error::from_errno(path);
  if (fstat(fd.get(), st) < 0) return base::Error::from_errno("stat " + path);
  if (!S_ISREG(st->st_mode))
    return base::make_error("{}: {}, not a regular file; meshward reads only regular files", path,
                            file_kind(st->st_mode));
  return fd;
}

base::Result<std::string> read_open_file(const std::string& path, int fd, size_t max_len) {
  std::string out;
  char buf[4096];
  while (true) {
    ssize_t r = ::read(fd, buf, sizeof(buf));
    if (r < 0) {
      if (errno == EINTR) continue;
      return base::Error::from_errno("read " + path);
    }
    if (r == 0) break;
    if (out.size() + size_t(r) > max_len)
      return base::make_error("{}: larger than {} bytes; not a meshward file?", path, max_len);
    out.append(buf, size_t(r));
  }
  return out;
}

}  // namespace

base::Result<std::string> read_file(const std::string& path, size_t max_len) {
  struct stat st;
  auto fd = open_regular(path, &st);
  if (!fd) return fd.error();
  return read_open_file(path, fd->get(), max_len);
}

base::Result<std::string> read_secret_file(const std::string& path, size_t max_len) {
  struct stat st;
  auto fd = open_regular(path, &st);
  if (!fd) return fd.error();
  if (st.st_mode & 077)
    return base::make_error("{} is readable by others (mode {:o}); fix it with: chmod 600 {}", path,
                            st.st_mode & 0777, path);
  return read_open_file(path, fd->get(), max_len);
}

bool file_exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

base::Result<unsigned> file_mode(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) < 0) return base::Error::from_errno(path);
  return unsigned(st.st_mode & 07777);
}

base::Result<void> set_file_mode(const std::string& path, unsigned mode) {
  if (chmod(path.c_str(), mode) < 0) return base::Error::from_errno("chmod " + path);
  return {};
}

base::Result<void> make_dirs(const std::string& path, unsigned mode) {
  if (path.empty()) return {};
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (mkdir(partial.c_str(), mode) < 0 && errno != EEXIST)
      return base::Error::from_errno("mkdir " + partial);
  }
  struct stat st;
  if (stat(path.c_str(), &st) < 0 || !S_ISDIR(st.st_mode))
    return base::make_error("{} is not a directory", path);
  return {};
}

base::Result<std::vector<std::string>> list_files(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT) return names;
    return base::Error::from_errno("open directory " + dir);
  }
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (stat((dir + "/" + name).c_str(), &st) == 0 && S_ISREG(st.st_mode)) names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

base::Result<void> remove_file(const std::string& path) {
  if (unlink(path.c_str()) < 0) return base::Error::from_errno("remove " + path);
  return {};
}

bool stdin_is_terminal() { return isatty(STDIN_FILENO) == 1; }

}  // namespace mw::os
