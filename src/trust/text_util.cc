// SPDX-License-Identifier: Apache-2.0
// Whitespace trimming and the prefixed base64 text form shared by the trust codecs.
#include "trust/text_util.h"

#include "base/encoding.h"

namespace mw::trust::internal {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

}  // namespace

std::string_view trim_space(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string to_prefixed_base64(std::string_view prefix, base::Bytes data) {
  std::string out(prefix);
  out += base::base64_encode(data);
  return out;
}

base::Result<std::vector<uint8_t>> from_prefixed_base64(std::string_view text,
                                                        std::string_view prefix, size_t max_len,
                                                        std::string_view what) {
  text = trim_space(text);
  if (!text.starts_with(prefix)) {
    return base::make_error("not a {}: the text does not start with \"{}\"", what, prefix);
  }
  text.remove_prefix(prefix.size());
  const size_t max_chars = (max_len + 2) / 3 * 4;
  if (text.size() > max_chars) {
    return base::make_error("{} text is too long: {} base64 characters, at most {}", what,
                            text.size(), max_chars);
  }
  auto bytes = base::base64_decode(text);
  if (!bytes) return base::make_error("invalid base64 in {} text", what);
  return std::move(*bytes);
}

}  // namespace mw::trust::internal
