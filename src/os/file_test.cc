// SPDX-License-Identifier: Apache-2.0
// Tests for atomic file replacement (including a writer killed at random moments), bounded and
// secret reads, directory listing and creation.
#include "os/file.h"
#include "base/testing/temp_dir.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <system_error>

namespace mw::os {
namespace {

class TempDir : public base::testing::TempDir {
 public:
  TempDir() : base::testing::TempDir("mw-file-test") {}
};

unsigned mode_of(const std::string& p) {
  struct stat st;
  EXPECT_EQ(stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(File, AtomicWriteCreatesWithModeAndReplaces) {
  TempDir tmp;
  std::string f = tmp.path() + "/secret";
  ASSERT_TRUE(write_file_atomic(f, "one", 0600).ok());
  EXPECT_EQ(mode_of(f), 0600u);
  EXPECT_EQ(*read_file(f, 100), "one");
  ASSERT_TRUE(write_file_atomic(f, "two", 0600).ok());
  EXPECT_EQ(*read_file(f, 100), "two");
  EXPECT_EQ(list_files(f.substr(0, f.rfind('/')))->size(), 1u) << "no temp file left behind";
}

TEST(File, KilledWriterLeavesOldOrNewFileWhole) {
  TempDir tmp;
  std::string f = tmp.path() + "/config";
  std::string a(1 << 20, 'a'), b(1 << 20, 'b');
  ASSERT_TRUE(write_file_atomic(f, a, 0600).ok());
  std::mt19937 rng(7);
  for (int round = 0; round < 30; ++round) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      for (int i = 0; i < 1000; ++i) (void)write_file_atomic(f, i % 2 ? a : b, 0600);
      _exit(0);
    }
    usleep(rng() % 3000);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    auto now = read_file(f, 2 << 20);
    ASSERT_TRUE(now.ok());
    EXPECT_TRUE(*now == a || *now == b) << "round " << round << ": a torn file";
  }
}

TEST(File, ReadRefusesOversizeAndMissing) {
  TempDir tmp;
  std::string f = tmp.path() + "/big";
  ASSERT_TRUE(write_file_atomic(f, std::string(100, 'x'), 0644).ok());
  auto r = read_file(f, 99);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("larger than 99 bytes"), std::string::npos);
  EXPECT_FALSE(read_file(f + "-missing", 10).ok());
}

TEST(File, SecretReadRefusesGroupOrOtherReadable) {
  TempDir tmp;
  std::string f = tmp.path() + "/identity.key";
  ASSERT_TRUE(write_file_atomic(f, "k", 0644).ok());
  auto r = read_secret_file(f, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("chmod 600 " + f), std::string::npos);
  chmod(f.c_str(), 0600);
  EXPECT_TRUE(read_secret_file(f, 10).ok());
}

// A FIFO in place of a config file made `up` block forever in open(); now every read refuses
// what is not a regular file at once, naming it.
TEST(File, ReadsRefuseFifosDirectoriesAndDevicesAtOnce) {
  TempDir tmp;
  std::string fifo = tmp.path() + "/identity.key";
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (bool secret : {false, true}) {
    auto r = secret ? read_secret_file(fifo, 100) : read_file(fifo, 100);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message(),
              fifo + ": a FIFO, not a regular file; meshward reads only regular files");
  }
  auto dir = read_file(tmp.path(), 100);
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().message().find("a directory"), std::string::npos);
  auto dev = read_file("/dev/null", 100);
  ASSERT_FALSE(dev.ok());
  EXPECT_NE(dev.error().message().find("/dev/null: a device"), std::string::npos);
  std::string regular = tmp.path() + "/node.cert";
  ASSERT_TRUE(write_file_atomic(regular, "ok", 0600).ok());
  EXPECT_EQ(*read_file(regular, 100), "ok");
}

TEST(File, MakeDirsAndListFiles) {
  TempDir tmp;
  std::string d = tmp.path() + "/a/b/c";
  ASSERT_TRUE(make_dirs(d, 0700).ok());
  EXPECT_EQ(mode_of(d), 0700u);
  EXPECT_TRUE(list_files(d)->empty());
  ASSERT_TRUE(write_file_atomic(d + "/z", "", 0644).ok());
  ASSERT_TRUE(write_file_atomic(d + "/y", "", 0644).ok());
  ASSERT_TRUE(make_dirs(d + "/sub", 0700).ok());
  EXPECT_EQ(*list_files(d), (std::vector<std::string>{"y", "z"}));
  EXPECT_TRUE(list_files(d + "/none")->empty());
  ASSERT_TRUE(remove_file(d + "/z").ok());
  EXPECT_FALSE(remove_file(d + "/z").ok());
  std::string file = d + "/y";
  auto not_dir = make_dirs(file, 0700);
  EXPECT_FALSE(not_dir.ok());
}

}  // namespace
}  // namespace mw::os
