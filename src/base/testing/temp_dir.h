// SPDX-License-Identifier: Apache-2.0
// TempDir: a fresh directory under /tmp for one test, removed with everything in it when the
// TempDir goes out of scope. Declare it before anything that uses paths inside it.
#pragma once

#include <string>
#include <string_view>

namespace mw::base::testing {

class TempDir {
 public:
  // /tmp/<prefix>-XXXXXX; aborts (a broken test machine) when it cannot be made.
  explicit TempDir(std::string_view prefix = "mw-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace mw::base::testing
