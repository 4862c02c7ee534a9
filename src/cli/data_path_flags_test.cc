// SPDX-License-Identifier: Apache-2.0
// The shared data-path flags: defaults, the environment, flags over the environment, and a
// clear error for a bad backend name or number, naming where it came from.
#include "cli/data_path_flags.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace mw::cli {
namespace {

// Sets the variables for one test and unsets them after.
class DataPathFlagsTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (const char* v : {"MESHWARD_NO_TUN_OFFLOAD", "MESHWARD_NO_UDP_GSO", "MESHWARD_NO_UDP_GRO",
                          "MESHWARD_IO", "MESHWARD_CRYPTO_WORKERS", "MESHWARD_BUSY_POLL"})
      unsetenv(v);
  }
  DataPathFlags parse(std::vector<std::string> args) {
    CLI::App app;
    DataPathFlags flags;
    add_data_path_flags(app, flags);
    std::vector<const char*> argv{"test"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(int(argv.size()), argv.data());
    return flags;
  }
};

TEST_F(DataPathFlagsTest, DefaultsWithNothingSet) {
  auto r = resolve_data_path(parse({}));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->tun_offload && r->udp_gso && r->udp_gro);
  EXPECT_EQ(r->io, "auto");
  EXPECT_EQ(r->crypto_workers, 1);
  EXPECT_EQ(r->busy_poll, base::Duration::zero());
}

TEST_F(DataPathFlagsTest, EnvironmentAppliesAndFlagsWin) {
  setenv("MESHWARD_NO_UDP_GSO", "1", 1);
  setenv("MESHWARD_IO", "io_uring", 1);
  setenv("MESHWARD_CRYPTO_WORKERS", "3", 1);
  setenv("MESHWARD_BUSY_POLL", "50", 1);
  auto env = resolve_data_path(parse({}));
  ASSERT_TRUE(env);
  EXPECT_FALSE(env->udp_gso);
  EXPECT_TRUE(env->udp_gro);
  EXPECT_EQ(env->io, "uring");
  EXPECT_EQ(env->crypto_workers, 3);
  EXPECT_EQ(env->busy_poll, base::Duration::micros(50));
  auto flags = resolve_data_path(
      parse({"--io", "epoll", "--crypto-workers", "0", "--busy-poll", "7", "--no-tun-offload"}));
  ASSERT_TRUE(flags);
  EXPECT_EQ(flags->io, "epoll");
  EXPECT_EQ(flags->crypto_workers, 0);
  EXPECT_EQ(flags->busy_poll, base::Duration::micros(7));
  EXPECT_FALSE(flags->tun_offload);
}

TEST_F(DataPathFlagsTest, BadValuesAreRefusedNamingTheirSource) {
  auto flag = resolve_data_path(parse({"--io", "poll"}));
  ASSERT_FALSE(flag);
  EXPECT_EQ(flag.error().message(), "--io: 'poll' is not one of auto, uring, epoll");
  setenv("MESHWARD_IO", "select", 1);
  auto env = resolve_data_path(parse({}));
  ASSERT_FALSE(env);
  EXPECT_EQ(env.error().message(), "MESHWARD_IO: 'select' is not one of auto, uring, epoll");
  unsetenv("MESHWARD_IO");
  setenv("MESHWARD_BUSY_POLL", "20000", 1);
  auto busy = resolve_data_path(parse({}));
  ASSERT_FALSE(busy);
  EXPECT_NE(busy.error().message().find("MESHWARD_BUSY_POLL"), std::string::npos);
  EXPECT_THROW(parse({"--crypto-workers", "65"}), CLI::ValidationError);
}

}  // namespace
}  // namespace mw::cli
