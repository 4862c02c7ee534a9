// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the UAPI codec: arbitrary bytes go through parse_request and
// parse_get_response, and whatever parses must come back unchanged through format and parse.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "wireguard/uapi.h"

namespace {

namespace uapi = mw::wg::uapi;

void check(bool ok) {
  if (!ok) __builtin_trap();
}

void check_request(std::string_view text) {
  auto parsed = uapi::parse_request(text);
  const auto* request = std::get_if<uapi::Request>(&parsed);
  if (!request) return;
  if (std::holds_alternative<uapi::GetRequest>(*request)) {
    check(text == "get=1\n\n");
    return;
  }
  const auto& set = std::get<uapi::SetRequest>(*request);
  std::string text2 = uapi::format_set_request(set);
  check(uapi::find_request_end(text2) == text2.size());
  auto parsed2 = uapi::parse_request(text2);
  const auto* request2 = std::get_if<uapi::Request>(&parsed2);
  check(request2 != nullptr);
  const auto* set2 = std::get_if<uapi::SetRequest>(request2);
  check(set2 != nullptr && *set2 == set);
  check(uapi::format_set_request(*set2) == text2);  // the written form is canonical
}

void check_reply(std::string_view text) {
  auto parsed = uapi::parse_get_response(text);
  const auto* status = std::get_if<uapi::DeviceStatus>(&parsed);
  if (!status) return;
  std::string text2 = uapi::format_get_response(*status);
  check(uapi::find_request_end(text2) == text2.size());
  auto parsed2 = uapi::parse_get_response(text2);
  const auto* status2 = std::get_if<uapi::DeviceStatus>(&parsed2);
  check(status2 != nullptr && *status2 == *status);
  check(uapi::format_get_response(*status2) == text2);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t end = uapi::find_request_end(text);
  check(end <= size);
  check_request(text);
  check_reply(text);
  // As a server reads a stream: the first complete request on its own.
  if (end != 0 && end < size) check_request(text.substr(0, end));
  return 0;
}
