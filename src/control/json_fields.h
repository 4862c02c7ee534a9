// SPDX-License-Identifier: Apache-2.0
// Reads typed fields out of a parsed JSON object without exceptions: an absent field keeps its
// default, a field of the wrong type (or out of range) records the first error, named by path.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "base/result.h"

namespace mw::control {

class JsonFields {
 public:
  // `object` must outlive the reader; `where` prefixes error messages ("status.members[2]").
  JsonFields(const nlohmann::json& object, std::string where);

  void read(const char* key, std::string& out);
  void read(const char* key, bool& out);
  void read(const char* key, int& out);
  void read(const char* key, int64_t& out);
  void read(const char* key, uint64_t& out);
  void read(const char* key, uint16_t& out);
  // A number, or null / absent for nullopt.
  void read(const char* key, std::optional<double>& out);

  // The field itself (nullptr when absent), for nested objects and arrays.
  const nlohmann::json* find(const char* key) const;
  // Records `problem` for `key` unless an error is already recorded.
  void fail(const char* key, std::string_view problem);
  const std::optional<base::Error>& error() const { return error_; }

 private:
  const nlohmann::json& object_;
  std::string where_;
  std::optional<base::Error> error_;
};

}  // namespace mw::control
