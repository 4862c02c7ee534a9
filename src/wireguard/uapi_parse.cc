// SPDX-License-Identifier: Apache-2.0
// Strict readers of UAPI text: get=1 / set=1 requests (as wg(8) sends them) and get replies.
#include "wireguard/uapi.h"

#include <algorithm>
#include <charconv>
#include <iterator>

#include <fmt/format.h>

namespace mw::wg::uapi {
namespace {

using MaybeError = std::optional<ParseError>;

ParseError fail(int errno_value, std::string message, bool hang_up = false) {
  return ParseError{errno_value, std::move(message), hang_up};
}

ParseError invalid(std::string message) { return fail(kErrnoInvalid, std::move(message)); }

// A peer-supplied value made safe for a log line: short, printable ASCII only.
std::string shown(std::string_view value) {
  constexpr size_t kMaxShown = 64;
  std::string out;
  for (char c : value.substr(0, kMaxShown)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  if (value.size() > kMaxShown) out += "...";
  return out;
}

ParseError bad_value(std::string_view key, std::string_view value) {
  return invalid(fmt::format("invalid {} value \"{}\"", key, shown(value)));
}

// Keys are never echoed: a mistyped private key must not end up in a log.
ParseError bad_key(std::string_view key) {
  return invalid(fmt::format("{} is not 64 hex digits", key));
}

ParseError duplicate(std::string_view key) { return invalid(fmt::format("duplicate {}", key)); }

// Iterates the lines of a body in which every line ends with '\n'.
class Lines {
 public:
  explicit Lines(std::string_view body) : rest_(body) {}
  bool next(std::string_view& line) {
    if (rest_.empty()) return false;
    size_t newline = rest_.find('\n');
    line = rest_.substr(0, newline);
    rest_.remove_prefix(newline + 1);
    ++number_;
    return true;
  }
  size_t number() const { return number_; }  // of the line next() returned, from 1

  // Splits the line at its first '=' (wireguard-go: strings.Cut); a line without one is
  // IpcErrorProtocol. The line is not echoed: it may be a key with its '=' lost.
  MaybeError split(std::string_view line, std::string_view& key, std::string_view& value) const {
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
      return fail(kErrnoProtocol,
                  fmt::format("line {} ({} bytes) has no '='", number_, line.size()));
    }
    key = line.substr(0, eq);
    value = line.substr(eq + 1);
    return std::nullopt;
  }

 private:
  std::string_view rest_;
  size_t number_ = 0;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Exactly 64 hex digits of either case (Go's hex.DecodeString), decoded straight into `out` so
// no temporary copy of a secret is left behind.
bool parse_key(std::string_view text, uint8_t* out) {
  if (text.size() != 2 * crypto::kKeyLen) return false;
  for (size_t i = 0; i < crypto::kKeyLen; ++i) {
    int hi = hex_digit(text[2 * i]);
    int lo = hex_digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = uint8_t(hi << 4 | lo);
  }
  return true;
}

// Decimal digits only, as Go's strconv.ParseUint(value, 10, bits): no sign, no spaces.
std::optional<uint64_t> parse_decimal(std::string_view text, uint64_t max) {
  if (text.empty()) return std::nullopt;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > max) return std::nullopt;
  return v;
}

// "1.2.3.4:51820" or "[fd00::1]:51820" (netip.ParseAddrPort); IPv6 needs the brackets.
std::optional<base::Endpoint> parse_endpoint(std::string_view text) {
  return base::Endpoint::parse(text);
}

// "10.0.0.0/8" or "fd00::/64" (netip.ParsePrefix): the length is required and has no leading
// zero; host bits are masked off, as wireguard-go's allowed-IPs trie does on insert.
std::optional<base::IpPrefix> parse_allowed_ip(std::string_view text) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view bits = text.substr(slash + 1);
  if (bits.size() > 1 && bits[0] == '0') return std::nullopt;
  return base::IpPrefix::parse(text);
}

// Checks what requests and replies share: the size cap, no NUL byte, and that `text` is exactly
// one message ending in its empty line. Sets `body` to the lines before that empty line.
MaybeError frame(std::string_view text, std::string_view& body) {
  if (text.size() > kMaxRequestLen) {
    return fail(kErrnoTooBig,
                fmt::format("{} bytes exceed the {} byte cap", text.size(), kMaxRequestLen));
  }
  if (text.find('\0') != std::string_view::npos) return invalid("embedded NUL byte");
  size_t end = find_request_end(text);
  if (end == 0) return fail(kErrnoProtocol, "no terminating empty line");
  if (end != text.size()) return fail(kErrnoProtocol, "bytes after the terminating empty line");
  body = text.substr(0, end - 1);
  return std::nullopt;
}

// Refuses a public key that names two peers of one message.
template <typename Peer>
MaybeError check_distinct(const std::vector<Peer>& peers) {
  std::vector<crypto::PublicKey> keys;
  keys.reserve(peers.size());
  for (const auto& peer : peers) keys.push_back(peer.public_key);
  std::sort(keys.begin(), keys.end());
  if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
    return invalid("a public_key appears twice");
  }
  return std::nullopt;
}

// Builds a SetRequest from the lines after "set=1", enforcing where each key may stand.
class SetParser {
 public:
  MaybeError line(std::string_view key, std::string_view value) {
    if (key == "public_key") return public_key(value);
    return peer_ ? peer_line(key, value) : device_line(key, value);
  }

  // The xplatform page: "The same public key value may not repeat during a single message."
  MaybeError finish() { return check_distinct(request_.peers); }

  SetRequest take() { return std::move(request_); }

 private:
  static bool is_peer_key(std::string_view key) {
    return key == "remove" || key == "update_only" || key == "preshared_key" || key == "endpoint" ||
           key == "persistent_keepalive_interval" || key == "replace_allowed_ips" ||
           key == "allowed_ip" || key == "protocol_version";
  }
  static bool is_device_key(std::string_view key) {
    return key == "private_key" || key == "listen_port" || key == "fwmark" ||
           key == "replace_peers";
  }

  MaybeError public_key(std::string_view value) {
    PeerConfig peer;
    if (!parse_key(value, peer.public_key.data())) return bad_key("public_key");
    request_.peers.push_back(std::move(peer));
    peer_ = &request_.peers.back();
    protocol_version_seen_ = false;
    return std::nullopt;
  }

  MaybeError device_line(std::string_view key, std::string_view value) {
    if (key == "private_key") {
      if (request_.private_key) return duplicate(key);
      request_.private_key.emplace();
      if (!parse_key(value, request_.private_key->data())) return bad_key(key);
    } else if (key == "listen_port") {
      if (request_.listen_port) return duplicate(key);
      auto port = parse_decimal(value, UINT16_MAX);
      if (!port) return bad_value(key, value);
      request_.listen_port = uint16_t(*port);
    } else if (key == "fwmark") {
      if (request_.fwmark) return duplicate(key);
      auto mark = parse_decimal(value, UINT32_MAX);
      if (!mark) return bad_value(key, value);
      request_.fwmark = uint32_t(*mark);
    } else if (key == "replace_peers") {
      if (request_.replace_peers) return duplicate(key);
      if (value != "true") return bad_value(key, value);
      request_.replace_peers = true;
    } else if (is_peer_key(key)) {
      return invalid(fmt::format("peer key {} before any public_key", key));
    } else {
      return invalid(fmt::format("unknown device key \"{}\"", shown(key)));
    }
    return std::nullopt;
  }

  MaybeError peer_line(std::string_view key, std::string_view value) {
    PeerConfig& peer = *peer_;
    if (key == "remove" || key == "update_only" || key == "replace_allowed_ips") {
      bool& flag = key == "remove"        ? peer.remove
                   : key == "update_only" ? peer.update_only
                                          : peer.replace_allowed_ips;
      if (flag) return duplicate(key);
      if (value != "true") return bad_value(key, value);
      // wireguard-go clears the allowed IPs when it reads the line, dropping earlier allowed_ip
      // lines of the same peer; refuse the order rather than model it.
      if (key == "replace_allowed_ips" && !peer.allowed_ips.empty()) {
        return invalid("replace_allowed_ips after allowed_ip");
      }
      flag = true;
    } else if (key == "preshared_key") {
      if (peer.preshared_key) return duplicate(key);
      peer.preshared_key.emplace();
      if (!parse_key(value, peer.preshared_key->data())) return bad_key(key);
    } else if (key == "endpoint") {
      if (peer.endpoint) return duplicate(key);
      peer.endpoint = parse_endpoint(value);
      if (!peer.endpoint) return bad_value(key, value);
    } else if (key == "persistent_keepalive_interval") {
      if (peer.persistent_keepalive_interval) return duplicate(key);
      auto secs = parse_decimal(value, UINT16_MAX);
      if (!secs) return bad_value(key, value);
      peer.persistent_keepalive_interval = uint16_t(*secs);
    } else if (key == "allowed_ip") {
      bool remove = !value.empty() && value[0] == '-';  // wireguard-go: "Removing allowedip"
      auto prefix = parse_allowed_ip(remove ? value.substr(1) : value);
      if (!prefix) return bad_value(key, value);
      peer.allowed_ips.push_back(AllowedIpUpdate{*prefix, remove});
    } else if (key == "protocol_version") {
      if (protocol_version_seen_) return duplicate(key);
      if (value != "1") return bad_value(key, value);
      protocol_version_seen_ = true;
    } else if (is_device_key(key)) {
      return invalid(fmt::format("device key {} after a public_key", key));
    } else {
      return invalid(fmt::format("unknown peer key \"{}\"", shown(key)));
    }
    return std::nullopt;
  }

  SetRequest request_;
  PeerConfig* peer_ = nullptr;  // the block being read; points into request_.peers
  bool protocol_version_seen_ = false;
};

// Builds a DeviceStatus from the lines of a get reply, which must end with its errno line.
class GetReplyParser {
 public:
  MaybeError line(std::string_view key, std::string_view value) {
    if (errno_) return invalid(fmt::format("\"{}\" after errno", shown(key)));
    if (key == "errno") return errno_line(value);
    if (key == "public_key") return public_key(value);
    return peer_ ? peer_line(key, value) : device_line(key, value);
  }

  MaybeError finish() {
    if (!errno_) return fail(kErrnoProtocol, "reply without an errno line");
    if (*errno_ != kErrnoOk) return fail(*errno_, fmt::format("reply carries errno={}", *errno_));
    return check_distinct(status_.peers);
  }

  DeviceStatus take() { return std::move(status_); }

 private:
  // One bit per key that may appear once in its section.
  bool first(std::string_view key) {
    static constexpr std::string_view kOnce[] = {"private_key",
                                                 "listen_port",
                                                 "fwmark",
                                                 "preshared_key",
                                                 "protocol_version",
                                                 "endpoint",
                                                 "tx_bytes",
                                                 "rx_bytes",
                                                 "persistent_keepalive_interval",
                                                 "last_handshake_time_sec",
                                                 "last_handshake_time_nsec"};
    for (size_t i = 0; i < std::size(kOnce); ++i) {
      if (kOnce[i] != key) continue;
      uint32_t bit = 1u << i;
      if (seen_ & bit) return false;
      seen_ |= bit;
      return true;
    }
    return true;
  }

  MaybeError errno_line(std::string_view value) {
    int v = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size()) {
      return bad_value("errno", value);
    }
    errno_ = v;
    return std::nullopt;
  }

  MaybeError public_key(std::string_view value) {
    PeerStatus peer;
    if (!parse_key(value, peer.public_key.data())) return bad_key("public_key");
    status_.peers.push_back(std::move(peer));
    peer_ = &status_.peers.back();
    seen_ = 0;
    return std::nullopt;
  }

  MaybeError device_line(std::string_view key, std::string_view value) {
    if (!first(key)) return duplicate(key);
    if (key == "private_key") {
      status_.private_key.emplace();
      if (!parse_key(value, status_.private_key->data())) return bad_key(key);
      if (status_.private_key->is_zero()) status_.private_key.reset();  // as wg(8) reads it
    } else if (key == "listen_port") {
      auto port = parse_decimal(value, UINT16_MAX);
      if (!port) return bad_value(key, value);
      status_.listen_port = uint16_t(*port);
    } else if (key == "fwmark") {
      auto mark = parse_decimal(value, UINT32_MAX);
      if (!mark) return bad_value(key, value);
      status_.fwmark = uint32_t(*mark);
    } else {
      return invalid(fmt::format("unexpected key \"{}\" before any public_key", shown(key)));
    }
    return std::nullopt;
  }

  MaybeError peer_line(std::string_view key, std::string_view value) {
    PeerStatus& peer = *peer_;
    if (!first(key)) return duplicate(key);
    if (key == "preshared_key") {
      if (!parse_key(value, peer.preshared_key.data())) return bad_key(key);
    } else if (key == "protocol_version") {
      if (value != "1") return bad_value(key, value);
    } else if (key == "endpoint") {
      peer.endpoint = parse_endpoint(value);
      if (!peer.endpoint) return bad_value(key, value);
    } else if (key == "last_handshake_time_sec") {
      auto secs = parse_decimal(value, INT64_MAX);
      if (!secs) return bad_value(key, value);
      peer.last_handshake_sec = int64_t(*secs);
    } else if (key == "last_handshake_time_nsec") {
      auto nsecs = parse_decimal(value, 999'999'999);
      if (!nsecs) return bad_value(key, value);
      peer.last_handshake_nsec = int64_t(*nsecs);
    } else if (key == "tx_bytes" || key == "rx_bytes") {
      auto bytes = parse_decimal(value, UINT64_MAX);
      if (!bytes) return bad_value(key, value);
      (key == "tx_bytes" ? peer.tx_bytes : peer.rx_bytes) = *bytes;
    } else if (key == "persistent_keepalive_interval") {
      auto secs = parse_decimal(value, UINT16_MAX);
      if (!secs) return bad_value(key, value);
      peer.persistent_keepalive_interval = uint16_t(*secs);
    } else if (key == "allowed_ip") {
      auto prefix = parse_allowed_ip(value);
      if (!prefix) return bad_value(key, value);
      peer.allowed_ips.push_back(*prefix);
    } else {
      return invalid(fmt::format("unexpected peer key \"{}\"", shown(key)));
    }
    return std::nullopt;
  }

  DeviceStatus status_;
  PeerStatus* peer_ = nullptr;  // the block being read; points into status_.peers
  uint32_t seen_ = 0;           // bits of first(), for the current section
  std::optional<int> errno_;
};

std::variant<Request, ParseError> parse_set(std::string_view lines) {
  SetParser parser;
  Lines reader(lines);
  std::string_view line, key, value;
  while (reader.next(line)) {
    if (auto e = reader.split(line, key, value)) return *std::move(e);
    if (auto e = parser.line(key, value)) return *std::move(e);
  }
  if (auto e = parser.finish()) return *std::move(e);
  return Request(parser.take());
}

}  // namespace

std::variant<Request, ParseError> parse_request(std::string_view text) {
  std::string_view body;
  if (auto e = frame(text, body)) return *std::move(e);
  size_t newline = body.find('\n');
  std::string_view operation = body.substr(0, newline);
  std::string_view rest = newline == std::string_view::npos ? "" : body.substr(newline + 1);
  if (operation == "get=1") {
    // wireguard-go: "trailing character in UAPI get" is IpcErrorInvalid.
    if (!rest.empty()) return invalid("get=1 must be followed by the empty line");
    return Request(GetRequest{});
  }
  if (operation == "set=1") return parse_set(rest);
  return fail(kErrnoProtocol, fmt::format("unknown operation \"{}\"", shown(operation)),
              /*hang_up=*/true);
}

std::variant<DeviceStatus, ParseError> parse_get_response(std::string_view text) {
  std::string_view body;
  if (auto e = frame(text, body)) return *std::move(e);
  GetReplyParser parser;
  Lines reader(body);
  std::string_view line, key, value;
  while (reader.next(line)) {
    if (auto e = reader.split(line, key, value)) return *std::move(e);
    if (auto e = parser.line(key, value)) return *std::move(e);
  }
  if (auto e = parser.finish()) return *std::move(e);
  return parser.take();
}

}  // namespace mw::wg::uapi
