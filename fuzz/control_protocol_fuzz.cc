// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the control protocol and the metrics endpoint's parsers: arbitrary bytes
// go through decode_request, decode_response, serve (as an allowed caller and a stranger),
// parse_http_get_path and the Prometheus writer. Whatever decodes must re-encode canonically,
// serve must always answer one decodable line that agrees with decode_request, and nothing may
// throw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "control/metrics.h"
#include "control/protocol.h"
#include "fuzz_check.h"

namespace {

namespace control = mw::control;
using mw::fuzz::check;

class FixedHandler : public control::Handler {
 public:
  control::StatusReport status() override {
    control::StatusReport s;
    s.interface = "mw0";
    control::MemberStatus m;
    m.name = "peer";
    m.rtt_ms = 1.5;
    s.members.push_back(m);
    return s;
  }
  void shutdown() override { ++shutdowns; }
  int shutdowns = 0;
};

bool one_line(std::string_view s) { return !s.empty() && s.find('\n') == s.size() - 1; }

void check_request(std::string_view text) {
  auto request = control::decode_request(text);
  if (!request) {
    check(!request.error().message().empty());
    return;
  }
  check(request->version == control::kProtocolVersion);
  check(text.size() <= control::kMaxRequestLen + 2);
  std::string line = control::encode_request(*request);
  check(one_line(line));
  auto again = control::decode_request(line);
  check(again.ok() && *again == *request);
}

void check_response(std::string_view text) {
  auto response = control::decode_response(text);
  if (!response) return;
  check(response->ok == response->error.empty());
  std::string line = control::encode_response(*response);
  check(one_line(line));
  auto again = control::decode_response(line);
  check(again.ok() && *again == *response);
  check(control::encode_response(*again) == line);
}

void check_serve(std::string_view text) {
  auto request = control::decode_request(text);
  constexpr uint32_t kDaemonUid = 1000;
  // uid 0 and the daemon's uid take the same path; one of them is enough per input.
  for (uint32_t uid :
       {request && request->command == control::Command::kDown ? kDaemonUid : 0u, 4242u}) {
    FixedHandler handler;
    std::string out = control::serve(text, control::Caller{uid, uid, 1}, kDaemonUid, handler);
    check(one_line(out));
    auto response = control::decode_response(out);
    check(response.ok());
    bool allowed = uid != 4242u;
    if (!request) {
      check(!response->ok && response->error == request.error().message());
    } else if (!allowed) {
      check(!response->ok && response->error == "permission denied: uid 4242");
    } else {
      check(response->ok);
      bool down = request->command == control::Command::kDown;
      check(response->stopping == down && handler.shutdowns == (down ? 1 : 0));
      check(response->status.has_value() == !down);
    }
    if (!response->ok) check(handler.shutdowns == 0);
  }
}

void check_http(std::string_view text) {
  size_t end = control::http_head_end(text);
  check(end <= text.size());
  auto path = control::parse_http_get_path(text);
  if (path) {
    check(end == text.size() && text.size() <= control::kMaxHttpHeadLen);
    check(!path->empty() && (*path)[0] == '/' && path->find('?') == std::string::npos);
    check(text.starts_with("GET " + *path));
  }
  if (end != 0 && end < text.size()) (void)control::parse_http_get_path(text.substr(0, end));
}

// The input as a metric name, a help text and a label value: the exposition stays one line per
// sample and the label value comes back unescaped.
void check_metrics(std::string_view text) {
  control::MetricsWriter w;
  bool named = w.gauge(text, text, {}, 1);
  check(named == control::valid_metric_name(text));
  check(w.counter("mw_fuzz_total", text, {{"value", std::string(text)}}, 2));
  std::string out = w.finish();
  size_t lines = 0;
  for (char c : out) lines += c == '\n';
  check(lines == (named ? 6u : 3u));
  // The value may itself end in `{value=`, right before the label's closing quote, so the
  // sample is found by the start of its line, not by the last marker.
  const std::string_view sample = "\nmw_fuzz_total{value=\"";
  size_t open = out.find(sample);
  check(open != std::string::npos);
  std::string value;
  size_t i = open + sample.size();
  for (; i < out.size() && out[i] != '"'; ++i) {
    if (out[i] != '\\') {
      value += out[i];
      continue;
    }
    char next = out[++i];
    value += next == 'n' ? '\n' : next;
  }
  check(value == text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  check_request(text);
  check_response(text);
  check_serve(text);
  check_http(text);
  if (size <= 512) check_metrics(text);
  return 0;
}
