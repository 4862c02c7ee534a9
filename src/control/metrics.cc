// SPDX-License-Identifier: Apache-2.0
// Prometheus text exposition format 0.0.4 (prometheus.io/docs/instrumenting/exposition_formats)
// and HTTP/1.0 framing (RFC 1945 §5, §6) for the metrics endpoint.
#include "control/metrics.h"

#include <algorithm>
#include <cmath>

namespace mw::control {
namespace {

bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

bool valid_metric_name(std::string_view name) {
  if (name.empty() || is_digit(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '_' || c == ':'; });
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || is_digit(name[0]) || name.starts_with("__")) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_alpha(c) || is_digit(c) || c == '_'; });
}

bool MetricsWriter::counter(std::string_view name, std::string_view help, const Labels& labels,
                            double value) {
  return add(Type::kCounter, name, help, labels, value);
}

bool MetricsWriter::gauge(std::string_view name, std::string_view help, const Labels& labels,
                          double value) {
  return add(Type::kGauge, name, help, labels, value);
}

bool MetricsWriter::add(Type type, std::string_view name, std::string_view help,
                        const Labels& labels, double value) {
  auto refuse = [this] {
    ++rejected_count_;
    return false;
  };
  if (!valid_metric_name(name)) return refuse();
  if (type == Type::kCounter && value < 0) return refuse();
  std::string rendered;
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto& [key, val] = labels[i];
    if (!valid_label_name(key)) return refuse();
    for (size_t k = 0; k < i; ++k)
      if (labels[k].first == key) return refuse();
    rendered += fmt::format("{}{}=\"{}\"", i == 0 ? "{" : ",", key, escape(val, true));
  }
  if (!labels.empty()) rendered += "}";
  std::string key(name);
  auto it = index_.find(key);
  if (it == index_.end()) {
    it = index_.emplace(key, families_.size()).first;
    families_.push_back({key, std::string(help), type, {}, {}});
  }
  Family& family = families_[it->second];
  if (family.type != type) return refuse();
  if (!family.label_sets.insert(rendered).second) return refuse();  // a duplicate sample
  family.samples.push_back(fmt::format("{}{} {}\n", name, rendered, format_value(value)));
  return true;
}

std::string MetricsWriter::finish() {
  std::string out;
  for (const Family& f : families_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name, escape(f.help, false), f.name,
                       f.type == Type::kCounter ? "counter" : "gauge");
    for (const std::string& s : f.samples) out += s;
  }
  families_.clear();
  index_.clear();
  return out;
}

size_t http_head_end(std::string_view buffer) {
  for (size_t i = 0; i < buffer.size(); ++i) {
    if (buffer[i] != '\n') continue;
    if (i + 1 < buffer.size() && buffer[i + 1] == '\n') return i + 2;
    if (i + 2 < buffer.size() && buffer[i + 1] == '\r' && buffer[i + 2] == '\n') return i + 3;
  }
  return 0;
}

base::Result<std::string> parse_http_get_path(std::string_view head) {
  if (head.size() > kMaxHttpHeadLen)
    return base::make_error("request head too long (over {} bytes)", kMaxHttpHeadLen);
  size_t end = http_head_end(head);
  if (end == 0) return base::make_error("incomplete request head");
  if (end != head.size()) return base::make_error("data after the request head");
  std::vector<std::string_view> lines;
  for (std::string_view rest = head.substr(0, end); !rest.empty();) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    rest.remove_prefix(nl + 1);
  }
  lines.pop_back();  // the blank line
  if (lines.empty()) return base::make_error("empty request");
  std::string_view request_line = lines[0];
  size_t sp1 = request_line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos)
    return base::make_error("malformed request line");
  std::string_view method = request_line.substr(0, sp1);
  std::string_view target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = request_line.substr(sp2 + 1);
  if (version != "HTTP/1.0" && version != "HTTP/1.1")
    return base::make_error("unsupported HTTP version");
  if (method != "GET") return base::make_error("method not allowed (only GET)");
  if (target.empty() || target[0] != '/') return base::make_error("request target must be a path");
  for (char c : target)
    if (c <= 0x20 || c >= 0x7f) return base::make_error("invalid character in request target");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    size_t colon = line.find(':');
    if (colon == 0 || colon == std::string_view::npos)
      return base::make_error("malformed header line");
    for (char c : line.substr(0, colon))
      if (c <= 0x20 || c >= 0x7f) return base::make_error("invalid character in header name");
    for (char c : line.substr(colon + 1))
      if ((c < 0x20 && c != '\t') || c == 0x7f)
        return base::make_error("invalid character in header value");
  }
  return std::string(target.substr(0, target.find('?')));
}

std::string http_response(int code, std::string_view content_type, std::string_view body) {
  std::string_view reason = "Error";
  switch (code) {
    case 200: reason = "OK"; break;
    case 400: reason = "Bad Request"; break;
    case 404: reason = "Not Found"; break;
    case 405: reason = "Method Not Allowed"; break;
    case 431: reason = "Request Header Fields Too Large"; break;
    case 500: reason = "Internal Server Error"; break;
    case 503: reason = "Service Unavailable"; break;
    default: break;
  }
  return fmt::format(
      "HTTP/1.0 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n{}",
      code, reason, content_type, body.size(), code == 405 ? "Allow: GET\r\n" : "", body);
}

}  // namespace mw::control
