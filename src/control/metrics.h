// SPDX-License-Identifier: Apache-2.0
// The metrics endpoint's pieces: a Prometheus text exposition (format 0.0.4) writer, and the
// tiny HTTP/1.0 framing it is served with (parse a GET's path, build a response). No I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "base/result.h"

namespace mw::control {

using Labels = std::vector<std::pair<std::string, std::string>>;

// Collects samples and prints them grouped by family, families in order of first use, each
// with its # HELP and # TYPE once. A sample is refused (returns false, counted in
// rejected_count()) when its name or a label name is invalid, a label repeats, the family was
// already written with the other type, the same labels were already written, or a counter is
// negative. Label values are escaped (\\ \" \n). Not thread-safe.
class MetricsWriter {
 public:
  static constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

  bool counter(std::string_view name, std::string_view help, const Labels& labels, double value);
  bool gauge(std::string_view name, std::string_view help, const Labels& labels, double value);
  // The exposition text; the writer is empty again afterwards.
  std::string finish();
  size_t rejected_count() const { return rejected_count_; }

 private:
  enum class Type { kCounter, kGauge };
  struct Family {
    std::string name;
    std::string help;
    Type type;
    std::unordered_set<std::string> label_sets;  // rendered "{a=\"b\"}" or "": duplicates
    std::vector<std::string> samples;            // full sample lines
  };
  bool add(Type type, std::string_view name, std::string_view help, const Labels& labels,
           double value);

  std::vector<Family> families_;
  std::unordered_map<std::string, size_t> index_;  // family name -> families_ position
  size_t rejected_count_ = 0;
};

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved by Prometheus).
bool valid_label_name(std::string_view name);

constexpr size_t kMaxHttpHeadLen = 8192;

// The length of the request head at the front of `buffer` (through the blank line that ends
// it, "\r\n\r\n" or "\n\n"), or 0 while it is incomplete.
size_t http_head_end(std::string_view buffer);
// The path of a "GET <path> HTTP/1.x" request head (query string dropped). Refuses other
// methods, malformed request or header lines, an unterminated head and one over
// kMaxHttpHeadLen. The error message is fit for a 400 response body.
base::Result<std::string> parse_http_get_path(std::string_view request_head);
// A complete HTTP/1.0 response with Content-Type, Content-Length and Connection: close
// (and Allow: GET for 405).
std::string http_response(int code, std::string_view content_type, std::string_view body);

}  // namespace mw::control
