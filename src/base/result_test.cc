// SPDX-License-Identifier: Apache-2.0
// Tests for Result<T> and Error.
#include "base/result.h"

#include <gtest/gtest.h>

namespace mw::base {
namespace {

Result<int> half(int x) {
  if (x % 2) return make_error("odd: {}", x);
  return x / 2;
}

Result<void> chain(int x) {
  MW_RETURN_IF_ERROR(half(x));
  return {};
}

TEST(Result, ValueAndError) {
  auto a = half(4);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 2);
  auto b = half(3);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().message(), "odd: 3");
}

TEST(Result, ReturnIfErrorPropagates) {
  EXPECT_TRUE(chain(2).ok());
  auto r = chain(5);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "odd: 5");
}

TEST(Result, FromErrnoKeepsErrno) {
  Error e = Error::from_errno("open /x", ENOENT);
  EXPECT_EQ(e.sys_errno(), ENOENT);
  EXPECT_EQ(e.message(), "open /x: No such file or directory");
}

}  // namespace
}  // namespace mw::base
