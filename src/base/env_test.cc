// SPDX-License-Identifier: Apache-2.0
#include "base/env.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace mw::base {
namespace {

TEST(Env, FlagAndValue) {
  ::unsetenv("MW_ENV_TEST");
  EXPECT_FALSE(env_flag("MW_ENV_TEST"));
  EXPECT_FALSE(env_value("MW_ENV_TEST"));
  ::setenv("MW_ENV_TEST", "", 1);
  EXPECT_FALSE(env_flag("MW_ENV_TEST"));
  EXPECT_FALSE(env_value("MW_ENV_TEST"));
  ::setenv("MW_ENV_TEST", "0", 1);
  EXPECT_FALSE(env_flag("MW_ENV_TEST"));
  ::setenv("MW_ENV_TEST", "1", 1);
  EXPECT_TRUE(env_flag("MW_ENV_TEST"));
  EXPECT_EQ(env_value("MW_ENV_TEST"), "1");
  ::unsetenv("MW_ENV_TEST");
}

TEST(Env, IntInRangeAndRejects) {
  ::unsetenv("MW_ENV_INT");
  auto none = env_int("MW_ENV_INT", 0, 64);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
  ::setenv("MW_ENV_INT", "8", 1);
  auto eight = env_int("MW_ENV_INT", 0, 64);
  ASSERT_TRUE(eight.ok());
  EXPECT_EQ(**eight, 8);
  for (const char* bad : {"x", "8x", "-1", "65", " 8"}) {
    ::setenv("MW_ENV_INT", bad, 1);
    auto r = env_int("MW_ENV_INT", 0, 64);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message(),
              std::string("MW_ENV_INT: '") + bad + "' is not a number from 0 to 64");
  }
  ::unsetenv("MW_ENV_INT");
}

TEST(Env, LogLevel) {
  ::unsetenv("LOG_LEVEL");
  auto fallback = log_level_from_env(LogLevel::kInfo);
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(*fallback, LogLevel::kInfo);
  ::setenv("LOG_LEVEL", "debug", 1);
  auto debug = log_level_from_env(LogLevel::kInfo);
  ASSERT_TRUE(debug.ok());
  EXPECT_EQ(*debug, LogLevel::kDebug);
  ::setenv("LOG_LEVEL", "loud", 1);
  auto bad = log_level_from_env(LogLevel::kInfo);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "LOG_LEVEL=loud is not one of silent, error, warn, info, debug");
  ::unsetenv("LOG_LEVEL");
}

}  // namespace
}  // namespace mw::base
