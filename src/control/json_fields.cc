// SPDX-License-Identifier: Apache-2.0
// Exception-free typed reads of JSON object fields.
#include "control/json_fields.h"

#include <cmath>
#include <limits>

namespace mw::control {

using nlohmann::json;

JsonFields::JsonFields(const json& object, std::string where)
    : object_(object), where_(std::move(where)) {}

const json* JsonFields::find(const char* key) const {
  if (!object_.is_object()) return nullptr;
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

void JsonFields::fail(const char* key, std::string_view problem) {
  if (error_) return;
  std::string path = where_.empty() ? std::string(key) : fmt::format("{}.{}", where_, key);
  error_ = base::make_error("{}: {}", path, problem);
}

void JsonFields::read(const char* key, std::string& out) {
  const json* v = find(key);
  if (!v) return;
  if (!v->is_string()) return fail(key, "expected a string");
  out = v->get_ref<const std::string&>();
}

void JsonFields::read(const char* key, bool& out) {
  const json* v = find(key);
  if (!v) return;
  if (!v->is_boolean()) return fail(key, "expected true or false");
  out = v->get<bool>();
}

void JsonFields::read(const char* key, int64_t& out) {
  const json* v = find(key);
  if (!v) return;
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    if (u > uint64_t(std::numeric_limits<int64_t>::max())) return fail(key, "out of range");
    out = int64_t(u);
    return;
  }
  if (!v->is_number_integer()) return fail(key, "expected an integer");
  out = v->get<int64_t>();
}

void JsonFields::read(const char* key, int& out) {
  int64_t wide = out;
  read(key, wide);
  if (error_) return;
  if (wide < std::numeric_limits<int>::min() || wide > std::numeric_limits<int>::max())
    return fail(key, "out of range");
  out = int(wide);
}

void JsonFields::read(const char* key, uint64_t& out) {
  const json* v = find(key);
  if (!v) return;
  if (!v->is_number_unsigned()) return fail(key, "expected a non-negative integer");
  out = v->get<uint64_t>();
}

void JsonFields::read(const char* key, uint16_t& out) {
  uint64_t wide = out;
  read(key, wide);
  if (error_) return;
  if (wide > std::numeric_limits<uint16_t>::max()) return fail(key, "out of range");
  out = uint16_t(wide);
}

void JsonFields::read(const char* key, std::optional<double>& out) {
  const json* v = find(key);
  if (!v || v->is_null()) {
    out.reset();
    return;
  }
  if (!v->is_number()) return fail(key, "expected a number or null");
  double d = v->get<double>();
  if (!std::isfinite(d)) return fail(key, "out of range");  // 1e999 parses as infinity
  out = d;
}

}  // namespace mw::control
