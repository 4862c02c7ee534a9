// SPDX-License-Identifier: Apache-2.0
// Host and port resolution through getaddrinfo.
#include "os/resolve.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "os/socket_address.h"

namespace mw::os {

base::Result<HostPort> split_host_port(std::string_view text, uint16_t default_port) {
  HostPort out;
  std::string_view host = text, port;
  if (!text.empty() && text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return base::make_error("'{}': missing ']'", text);
    host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return base::make_error("'{}': expected ':' after ']'", text);
      port = rest.substr(1);
      if (port.empty()) return base::make_error("'{}': empty port", text);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    size_t colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (port.empty()) return base::make_error("'{}': empty port", text);
  }
  if (host.empty()) return base::make_error("'{}': empty host", text);
  out.host = std::string(host);
  out.port = default_port;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
      return base::make_error("'{}': bad port '{}'", text, port);
    out.port = uint16_t(value);
  }
  if (out.port == 0) return base::make_error("'{}': no port", text);
  return out;
}

base::Result<std::vector<base::Endpoint>> resolve(std::string_view text, uint16_t default_port) {
  auto hp = split_host_port(text, default_port);
  if (!hp) return hp.error();
  if (auto ip = base::IpAddress::parse(hp->host))
    return std::vector<base::Endpoint>{base::Endpoint{*ip, hp->port}};
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* list = nullptr;
  int rc = getaddrinfo(hp->host.c_str(), nullptr, &hints, &list);
  if (rc != 0) return base::make_error("cannot resolve '{}': {}", hp->host, gai_strerror(rc));
  std::vector<base::Endpoint> out;
  for (addrinfo* a = list; a; a = a->ai_next) {
    if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
    sockaddr_storage ss{};
    std::memcpy(&ss, a->ai_addr, std::min<size_t>(a->ai_addrlen, sizeof(ss)));
    base::Endpoint e = from_sockaddr(ss);
    e.port = hp->port;
    if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
  }
  freeaddrinfo(list);
  std::stable_partition(out.begin(), out.end(),
                        [](const base::Endpoint& e) { return e.address.is_v4(); });
  if (out.empty())
    return base::make_error("cannot resolve '{}': no IPv4 or IPv6 address", hp->host);
  return out;
}

}  // namespace mw::os
