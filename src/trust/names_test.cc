// SPDX-License-Identifier: Apache-2.0
// Tests for trust file-name sanitising.
#include "trust/names.h"

#include <gtest/gtest.h>

namespace mw::trust {
namespace {

TEST(NamesTest, SafeNamesAreKept) {
  EXPECT_EQ(sanitize_name("laptop"), "laptop");
  EXPECT_EQ(sanitize_name("Alice_Laptop-2.home"), "Alice_Laptop-2.home");
  EXPECT_EQ(sanitize_name("a..b"), "a..b");
}

TEST(NamesTest, PathSeparatorsAreReplaced) {
  EXPECT_EQ(sanitize_name("a/b"), "a_b");
  EXPECT_EQ(sanitize_name("a\\b"), "a_b");
  EXPECT_EQ(sanitize_name("/etc/passwd"), "_etc_passwd");
  EXPECT_EQ(sanitize_name("../../etc/passwd"), "_.._etc_passwd");
  EXPECT_EQ(sanitize_name("a b:c*?"), "a_b_c__");
}

TEST(NamesTest, LeadingDotsAreDropped) {
  EXPECT_EQ(sanitize_name(".hidden"), "hidden");
  EXPECT_EQ(sanitize_name("...x."), "x.");
  EXPECT_EQ(sanitize_name("./x"), "_x");
}

TEST(NamesTest, NothingUsableLeft) {
  EXPECT_EQ(sanitize_name(""), std::nullopt);
  EXPECT_EQ(sanitize_name("."), std::nullopt);
  EXPECT_EQ(sanitize_name(".."), std::nullopt);
  EXPECT_EQ(sanitize_name("....."), std::nullopt);
}

TEST(NamesTest, LongNamesAreCut) {
  EXPECT_EQ(sanitize_name(std::string(64, 'a')), std::string(64, 'a'));
  EXPECT_EQ(sanitize_name(std::string(65, 'a')), std::string(64, 'a'));
  EXPECT_EQ(sanitize_name(std::string(100000, 'b')), std::string(64, 'b'));
  // The cut counts after the leading dots are gone.
  EXPECT_EQ(sanitize_name(".." + std::string(70, 'c')), std::string(64, 'c'));
}

TEST(NamesTest, NonAsciiAndControlBytesAreReplaced) {
  EXPECT_EQ(sanitize_name("caf\xc3\xa9"), "caf__");  // "café": one '_' per byte
  EXPECT_EQ(sanitize_name("\xe2\x80\xae"
                          "exe"),
            "___exe");
  EXPECT_EQ(sanitize_name(std::string("a\0b", 3)), "a_b");
  EXPECT_EQ(sanitize_name("a\nb\tc"), "a_b_c");
  EXPECT_EQ(sanitize_name("\xff"), "_");
}

}  // namespace
}  // namespace mw::trust
