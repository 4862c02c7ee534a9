// SPDX-License-Identifier: Apache-2.0
// The AVX-512 decision: the user's variable wins, the opt-out works, CPUs without AVX-512 are
// left alone, and the start-up note names what happened.
#include "crypto/openssl_cpu.h"

#include <gtest/gtest.h>

#include <string>

namespace mw::crypto {
namespace {

TEST(OpensslCpu, AsksForTheAvx2PathsOnAnAvx512Cpu) {
  const char* env[] = {"PATH=/usr/bin", "HOME=/root", nullptr};
  EXPECT_STREQ(openssl_environment_entry(env, true), "OPENSSL_ia32cap=:~0x10000");
  const char* empty[] = {nullptr};
  EXPECT_STREQ(openssl_environment_entry(empty, true), kOpensslWithoutAvx512);
  EXPECT_STREQ(openssl_environment_entry(nullptr, true), kOpensslWithoutAvx512);
}

TEST(OpensslCpu, ChangesNothingWithoutAvx512OrWhenTheUserChose) {
  const char* plain[] = {"PATH=/usr/bin", nullptr};
  EXPECT_EQ(openssl_environment_entry(plain, false), nullptr);
  const char* user[] = {"OPENSSL_ia32cap=~0x200000200000000", nullptr};
  EXPECT_EQ(openssl_environment_entry(user, true), nullptr);
  const char* user_empty[] = {"OPENSSL_ia32cap=", nullptr};
  EXPECT_EQ(openssl_environment_entry(user_empty, true), nullptr);
  const char* keep[] = {"MESHWARD_OPENSSL_AVX512=1", nullptr};
  EXPECT_EQ(openssl_environment_entry(keep, true), nullptr);
}

// Near misses are not the variables: a longer name, a name without '=', another opt-out value.
TEST(OpensslCpu, NearMissesAreNotTheVariables) {
  const char* env[] = {"OPENSSL_ia32capX=1", "OPENSSL_ia32cap", "MESHWARD_OPENSSL_AVX512=0",
                       "MESHWARD_OPENSSL_AVX5121=1", nullptr};
  EXPECT_STREQ(openssl_environment_entry(env, true), kOpensslWithoutAvx512);
}

TEST(OpensslCpu, NamesThePathForTheLog) {
  EXPECT_STREQ(openssl_cpu_path(nullptr, false), "no AVX-512");
  EXPECT_STREQ(openssl_cpu_path(":~0x10000", false), "no AVX-512");
  EXPECT_STREQ(openssl_cpu_path(nullptr, true), "AVX-512 on");
  EXPECT_STREQ(openssl_cpu_path(":~0x10000", true), "512-bit AVX-512 off");
  EXPECT_STREQ(openssl_cpu_path("~0x200000200000000", true), "set by OPENSSL_ia32cap");
}

TEST(OpensslCpu, CpuProbeAnswersConsistently) { EXPECT_EQ(cpu_has_avx512(), cpu_has_avx512()); }

}  // namespace
}  // namespace mw::crypto
