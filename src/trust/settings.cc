// SPDX-License-Identifier: Apache-2.0
// meshward.toml: a line-by-line parser for the TOML subset of settings.h and its formatter.
// Grammar, per line after surrounding spaces and tabs are dropped:
//   blank | "#" comment | key ws* "=" ws* value ws* ["#" comment]
//   key    = [A-Za-z0-9_-]+ (one of the UpSettings fields)
//   value  = basic string | integer (digits) | true | false | "[" [string ("," string)* [","]] "]"
//   (port_mapping takes a string or a boolean)
// Strings may hold any byte but raw control characters (0x00-0x1f, 0x7f); escapes are \" \\ \n \t.
#include "trust/settings.h"

#include <array>
#include <map>

namespace mw::trust {

namespace {

enum class Kind : uint8_t { kString, kPort, kBool, kStrings, kMode };

struct Field {
  std::string_view key;
  Kind kind;
};

constexpr std::array<Field, 11> kFields = {{
    {"seeds", Kind::kStrings},
    {"stun", Kind::kStrings},
    {"port", Kind::kPort},
    {"interface", Kind::kString},
    {"announce", Kind::kString},
    {"open", Kind::kBool},
    {"gossip_only", Kind::kBool},
    {"metrics", Kind::kString},
    {"ipv6_prefix", Kind::kString},
    {"ipv4_prefix", Kind::kString},
    {"port_mapping", Kind::kMode},
}};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_key_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

void skip_blanks(std::string_view& s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
}

// The value parsers consume what they read from `s` and return an error text (without the
// "file:line: key: " part) on failure.
using ParseError = std::optional<std::string>;

ParseError parse_string(std::string_view& s, std::string& out) {
  if (s.empty() || s.front() != '"') return "expected a string in double quotes";
  s.remove_prefix(1);
  out.clear();
  while (!s.empty()) {
    const char c = s.front();
    s.remove_prefix(1);
    if (c == '"') return std::nullopt;
    if (is_control(c)) return "control character in string (use \\n or \\t)";
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (s.empty()) break;
    const char e = s.front();
    s.remove_prefix(1);
    switch (e) {
      case '"': out.push_back('"'); break;
      case '\\': out.push_back('\\'); break;
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      default: return "unsupported escape in string (only \\\" \\\\ \\n \\t)";
    }
  }
  return "unterminated string";
}

ParseError parse_port(std::string_view& s, uint16_t& out) {
  constexpr std::string_view kError = "expected an integer from 1 to 65535";
  size_t n = 0;
  while (n < s.size() && s[n] >= '0' && s[n] <= '9') ++n;
  if (n == 0 || n > 5 || (n > 1 && s[0] == '0')) return std::string(kError);
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + uint32_t(s[i] - '0');
  if (v < 1 || v > 65535) return std::string(kError);
  out = uint16_t(v);
  s.remove_prefix(n);
  return std::nullopt;
}

ParseError parse_bool(std::string_view& s, bool& out) {
  for (const bool v : {true, false}) {
    const std::string_view word = v ? "true" : "false";
    if (s.starts_with(word) && (s.size() == word.size() || !is_key_char(s[word.size()]))) {
      s.remove_prefix(word.size());
      out = v;
      return std::nullopt;
    }
  }
  return "expected true or false";
}

ParseError parse_strings(std::string_view& s, std::vector<std::string>& out) {
  constexpr std::string_view kError = "expected a one-line array of strings";
  if (s.empty() || s.front() != '[') return std::string(kError);
  s.remove_prefix(1);
  out.clear();
  while (true) {
    skip_blanks(s);
    if (!s.empty() && s.front() == ']') break;
    std::string item;
    if (s.empty() || s.front() != '"') return std::string(kError);
    if (auto err = parse_string(s, item)) return err;
    out.push_back(std::move(item));
    skip_blanks(s);
    if (!s.empty() && s.front() == ',') {
      s.remove_prefix(1);
      continue;
    }
    if (s.empty() || s.front() != ']') return std::string(kError);
    break;
  }
  s.remove_prefix(1);  // ']'
  return std::nullopt;
}

ParseError parse_value(std::string_view& s, Kind kind, std::string_view key, UpSettings& out) {
  switch (kind) {
    case Kind::kStrings: return parse_strings(s, key == "stun" ? out.stun : out.seeds);
    case Kind::kPort: {
      uint16_t port = 0;
      if (auto err = parse_port(s, port)) return err;
      out.port = port;
      return std::nullopt;
    }
    case Kind::kBool: {
      bool v = false;
      if (auto err = parse_bool(s, v)) return err;
      (key == "open" ? out.open : out.gossip_only) = v;
      return std::nullopt;
    }
    case Kind::kString: {
      std::string v;
      if (auto err = parse_string(s, v)) return err;
      std::optional<std::string>* slot = key == "interface"     ? &out.interface
                                         : key == "announce"    ? &out.announce
                                         : key == "metrics"     ? &out.metrics
                                         : key == "ipv6_prefix" ? &out.ipv6_prefix
                                                                : &out.ipv4_prefix;
      *slot = std::move(v);
      return std::nullopt;
    }
    case Kind::kMode: {
      // A string naming the mode, or a boolean: false is "off", true "auto".
      constexpr std::string_view kError =
          "expected \"auto\", \"upnp\", \"natpmp\", \"pcp\", \"off\", true or false";
      std::string v;
      if (!s.empty() && s.front() == '"') {
        if (auto err = parse_string(s, v)) return err;
        if (v != "auto" && v != "upnp" && v != "natpmp" && v != "pcp" && v != "off")
          return std::string(kError);
      } else {
        bool on = false;
        if (parse_bool(s, on)) return std::string(kError);
        v = on ? "auto" : "off";
      }
      out.port_mapping = std::move(v);
      return std::nullopt;
    }
  }
  return "unsupported value";
}

// A basic string that parse_string reads back as `s`. Control characters other than newline
// and tab have no escape in this subset and are left out.
std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (!is_control(c)) {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

base::Result<UpSettings> parse_settings(std::string_view text, std::string_view file_name) {
  UpSettings out;
  std::map<std::string_view, size_t> seen;  // key -> line first set
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    skip_blanks(line);
    while (!line.empty() && is_blank(line.back())) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      return base::make_error("{}:{}: tables are not supported", file_name, line_no);
    }
    size_t key_len = 0;
    while (key_len < line.size() && is_key_char(line[key_len])) ++key_len;
    if (key_len == 0) {
      return base::make_error("{}:{}: expected key = value", file_name, line_no);
    }
    const std::string_view key = line.substr(0, key_len);
    line.remove_prefix(key_len);
    skip_blanks(line);
    if (line.empty() || line.front() != '=') {
      return base::make_error("{}:{}: {}: expected '=' after the key", file_name, line_no, key);
    }
    line.remove_prefix(1);
    skip_blanks(line);
    const Field* field = nullptr;
    for (const Field& f : kFields) {
      if (f.key == key) field = &f;
    }
    if (!field) return base::make_error("{}:{}: {}: unknown key", file_name, line_no, key);
    if (auto [it, inserted] = seen.emplace(field->key, line_no); !inserted) {
      return base::make_error("{}:{}: {}: duplicate key (first set on line {})", file_name, line_no,
                              key, it->second);
    }
    if (auto err = parse_value(line, field->kind, field->key, out)) {
      return base::make_error("{}:{}: {}: {}", file_name, line_no, key, *err);
    }
    skip_blanks(line);
    if (!line.empty() && line.front() != '#') {
      return base::make_error("{}:{}: {}: unexpected text after the value", file_name, line_no,
                              key);
    }
  }
  return out;
}

std::string format_settings(const UpSettings& s) {
  std::string out = "# meshward up settings\n";
  auto strings = [&out](std::string_view key, const std::vector<std::string>& list) {
    if (list.empty()) return;
    out += std::string(key) + " = [";
    for (size_t i = 0; i < list.size(); ++i) out += (i ? ", " : "") + quote(list[i]);
    out += "]\n";
  };
  strings("seeds", s.seeds);
  strings("stun", s.stun);
  if (s.port) out += fmt::format("port = {}\n", *s.port);
  if (s.interface) out += "interface = " + quote(*s.interface) + "\n";
  if (s.announce) out += "announce = " + quote(*s.announce) + "\n";
  if (s.open) out += fmt::format("open = {}\n", *s.open);
  if (s.gossip_only) out += fmt::format("gossip_only = {}\n", *s.gossip_only);
  if (s.metrics) out += "metrics = " + quote(*s.metrics) + "\n";
  if (s.ipv6_prefix) out += "ipv6_prefix = " + quote(*s.ipv6_prefix) + "\n";
  if (s.ipv4_prefix) out += "ipv4_prefix = " + quote(*s.ipv4_prefix) + "\n";
  if (s.port_mapping) out += "port_mapping = " + quote(*s.port_mapping) + "\n";
  return out;
}

}  // namespace mw::trust
