// SPDX-License-Identifier: Apache-2.0
// reexec_self_with: a forked child re-executes this very test program with one more environment
// entry and a filter that runs only the probe below, which reports what it sees by exit code;
// started through the dynamic loader, it must not re-execute at all.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "os/process.h"

extern char** environ;

namespace mw::os {
namespace {

constexpr int kProbeSawTheEntry = 42;
constexpr int kReexecReturned = 99;

// Runs only in the re-executed child (the variable is set nowhere else).
TEST(ReexecProbe, ReportsTheAddedEntry) {
  const char* v = std::getenv("MW_REEXEC_PROBE");
  if (v == nullptr) GTEST_SKIP() << "only meaningful when re-executed";
  // Same argv: the filter that brought us here is still argv[1].
  _exit(std::strcmp(v, "seen") == 0 ? kProbeSawTheEntry : 1);
}

// Runs only when started through the dynamic loader by the test below: re-executing would
// run the loader without the program, so reexec_self_with must return.
TEST(ReexecProbe, ReturnsUnderTheDynamicLoader) {
  if (std::getenv("MW_REEXEC_UNDER_LOADER") == nullptr) GTEST_SKIP() << "only under the loader";
  char arg0[] = "probe";
  char* argv[] = {arg0, nullptr};
  reexec_self_with(argv, environ, "MW_REEXEC_PROBE=seen");
  _exit(kReexecReturned);
}

// Runs `child` in a forked process (which must end by exec or _exit) and returns its exit
// code, or -1 when it did not exit normally.
template <typename F>
int exit_code_of(F child) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    child();
    _exit(1);
  }
  int status = 0;
  if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

TEST(Reexec, NeverThroughTheDynamicLoader) {
  const char* loader = "/lib64/ld-linux-x86-64.so.2";
  if (access(loader, X_OK) != 0) GTEST_SKIP() << "no " << loader;
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  ASSERT_GT(n, 0);
  self[n] = '\0';
  EXPECT_EQ(exit_code_of([&] {
              setenv("MW_REEXEC_UNDER_LOADER", "1", 1);
              std::string filter = "--gtest_filter=ReexecProbe.ReturnsUnderTheDynamicLoader";
              execl(loader, loader, self, filter.c_str(), static_cast<char*>(nullptr));
            }),
            kReexecReturned);
}

TEST(Reexec, SameProgramSameArgvOneMoreEntry) {
  EXPECT_EQ(exit_code_of([] {
              std::string arg0 = "mw_os_tests_reexec";  // argv[0] need not name the file
              std::string filter = "--gtest_filter=ReexecProbe.ReportsTheAddedEntry";
              char* argv[] = {arg0.data(), filter.data(), nullptr};
              reexec_self_with(argv, environ, "MW_REEXEC_PROBE=seen");
              _exit(kReexecReturned);
            }),
            kProbeSawTheEntry);
}

TEST(Reexec, ReturnsWithoutArgvOrEntry) {
  EXPECT_EQ(exit_code_of([] {
              reexec_self_with(nullptr, environ, "MW_REEXEC_PROBE=seen");
              char arg0[] = "x";
              char* argv[] = {arg0, nullptr};
              reexec_self_with(argv, environ, nullptr);
              _exit(kReexecReturned);
            }),
            kReexecReturned);
}

}  // namespace
}  // namespace mw::os
