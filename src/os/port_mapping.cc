// SPDX-License-Identifier: Apache-2.0
// The port-mapping clients: libminiupnpc, libnatpmp, a UDP exchange, the default gateway.
#include "os/port_mapping.h"

#include <arpa/inet.h>
#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>
#define ENABLE_STRNATPMPERR 1  // declares strnatpmperr (the library has it)
#include <natpmp.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdio>
#include <sstream>

#include "base/clock.h"
#include "base/unique_fd.h"
#include "os/file.h"
#include "os/socket_address.h"

namespace mw::os {
namespace {

constexpr const char* kDescription = "meshward";

int to_poll_ms(base::Duration d) {
  return int(std::clamp<int64_t>((d.to_micros() + 999) / 1000, 0, 60'000));
}

base::Instant now() { return base::SystemClock::instance().now(); }

// The host of "http://host:port/path".
base::IpAddress url_host(const char* url) {
  std::string s(url ? url : "");
  size_t start = s.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = s.find_first_of(":/", start);
  auto a = base::IpAddress::parse(s.substr(start, end - start));
  return a ? *a : base::IpAddress{};
}

std::string seconds_text(base::Duration d) { return std::to_string(d.to_millis() / 1000); }

}  // namespace

base::Result<base::IpAddress> default_gateway() {
  auto text = read_file("/proc/net/route", 1 << 20);
  if (!text) return text.error();
  return parse_default_gateway(*text);
}

base::Result<base::IpAddress> parse_default_gateway(std::string_view proc_net_route) {
  std::istringstream in{std::string(proc_net_route)};
  std::string line;
  std::getline(in, line);  // the header
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string iface;
    unsigned destination = 0, gateway = 0, flags = 0;
    f >> iface >> std::hex >> destination >> gateway >> flags;
    // RTF_UP | RTF_GATEWAY, destination 0.0.0.0; the fields are in network byte order.
    if (f && destination == 0 && gateway != 0 && (flags & 0x3) == 0x3)
      return base::IpAddress::v4(ntohl(gateway));
  }
  return base::make_error("no default IPv4 gateway");
}

base::Result<UpnpMapping> upnp_map(uint16_t internal_port, base::Duration lifetime,
                                   base::Duration discover_wait) {
  // Every type searched at once and answers awaited once (upnpDiscover waits `delay` per type).
  static const char* const kTypes[] = {"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
                                       "urn:schemas-upnp-org:device:InternetGatewayDevice:2",
                                       "urn:schemas-upnp-org:service:WANIPConnection:1",
                                       "urn:schemas-upnp-org:service:WANPPPConnection:1", nullptr};
  int error = 0;
  UPNPDev* devices =
      upnpDiscoverDevices(kTypes, to_poll_ms(discover_wait), nullptr, nullptr, 0, 0, 2, &error, 1);
  if (!devices) return base::make_error("UPnP: no IGD answered (discovery error {})", error);
  UPNPUrls urls{};
  IGDdatas data{};
  char lan[64] = {};
  int igd = UPNP_GetValidIGD(devices, &urls, &data, lan, sizeof lan);
  freeUPNPDevlist(devices);
  // 1: connected; 2: an IGD that says it is not connected, which miniupnpc also says of one
  // whose external address is private: accepted, STUN judges it later.
  if (igd != 1 && igd != 2) {
    if (igd != 0) FreeUPNPUrls(&urls);
    return base::make_error("UPnP: no Internet gateway device found");
  }
  UpnpMapping out;
  out.control_url = urls.controlURL ? urls.controlURL : "";
  out.service_type = data.first.servicetype;
  out.mapping.gateway = url_host(urls.controlURL);
  out.mapping.internal_port = internal_port;
  FreeUPNPUrls(&urls);
  const char* ctl = out.control_url.c_str();
  const char* svc = out.service_type.c_str();

  char external_ip[40] = {};
  if (int r = UPNP_GetExternalIPAddress(ctl, svc, external_ip); r != UPNPCOMMAND_SUCCESS)
    return base::make_error("UPnP: GetExternalIPAddress: {}", strupnperror(r));
  auto ip = base::IpAddress::parse(external_ip);
  if (!ip) return base::make_error("UPnP: the IGD reports external address '{}'", external_ip);

  std::string port = std::to_string(internal_port);
  std::string lease = seconds_text(lifetime);
  int r = UPNP_AddPortMapping(ctl, svc, port.c_str(), port.c_str(), lan, kDescription, "UDP",
                              nullptr, lease.c_str());
  if (r == 725) {  // OnlyPermanentLeasesSupported
    lease = "0";
    r = UPNP_AddPortMapping(ctl, svc, port.c_str(), port.c_str(), lan, kDescription, "UDP", nullptr,
                            lease.c_str());
  }
  std::string external_port = port;
  if (r == 718) {  // ConflictInMappingEntry: the port is someone else's; any free one
    char reserved[8] = {};
    r = UPNP_AddAnyPortMapping(ctl, svc, port.c_str(), port.c_str(), lan, kDescription, "UDP",
                               nullptr, lease.c_str(), reserved);
    external_port = reserved;
  }
  if (r != UPNPCOMMAND_SUCCESS)
    return base::make_error("UPnP: AddPortMapping UDP {} -> {}:{}: {} ({})", port, lan, port,
                            strupnperror(r), r);
  int ext = std::atoi(external_port.c_str());
  if (ext <= 0 || ext > 65535)
    return base::make_error("UPnP: the IGD granted external port '{}'", external_port);
  out.mapping.external = {*ip, uint16_t(ext)};
  out.mapping.lifetime = base::Duration::seconds(std::atoi(lease.c_str()));
  return out;
}

base::Result<void> upnp_unmap(const UpnpMapping& m) {
  std::string port = std::to_string(m.mapping.external.port);
  int r = UPNP_DeletePortMapping(m.control_url.c_str(), m.service_type.c_str(), port.c_str(), "UDP",
                                 nullptr);
  if (r != UPNPCOMMAND_SUCCESS)
    return base::make_error("UPnP: DeletePortMapping UDP {}: {} ({})", port, strupnperror(r), r);
  return {};
}

namespace {

// Waits for the answer to the request in flight on `p`, with the library's retransmissions,
// until `deadline`.
base::Result<natpmpresp_t> natpmp_answer(natpmp_t& p, base::Instant deadline, const char* what) {
  while (true) {
    timeval tv{};
    getnatpmprequesttimeout(&p, &tv);
    base::Duration retry = base::Duration::seconds(tv.tv_sec) + base::Duration::micros(tv.tv_usec);
    base::Duration left = deadline - now();
    if (left <= base::Duration::zero())
      return base::make_error("NAT-PMP: {}: no answer from the gateway", what);
    pollfd pfd{p.s, POLLIN, 0};
    ::poll(&pfd, 1, to_poll_ms(std::min(retry, left)));
    natpmpresp_t resp{};
    int r = readnatpmpresponseorretry(&p, &resp);
    if (r == NATPMP_TRYAGAIN) continue;
    if (r < 0) return base::make_error("NAT-PMP: {}: {}", what, strnatpmperr(r));
    return resp;
  }
}

}  // namespace

base::Result<GatewayMapping> natpmp_map(uint16_t internal_port, uint16_t suggested_port,
                                        base::Duration lifetime, base::Duration wait) {
  natpmp_t p{};
  if (int r = initnatpmp(&p, 0, 0); r < 0) return base::make_error("NAT-PMP: {}", strnatpmperr(r));
  struct Closer {
    natpmp_t* p;
    ~Closer() { closenatpmp(p); }
  } closer{&p};
  GatewayMapping out;
  out.gateway = base::IpAddress::v4(ntohl(p.gateway));
  out.internal_port = internal_port;
  base::Instant deadline = now() + wait;
  if (lifetime > base::Duration::zero()) {
    if (int r = sendpublicaddressrequest(&p); r < 0)
      return base::make_error("NAT-PMP: {}", strnatpmperr(r));
    auto resp = natpmp_answer(p, deadline, "public address");
    if (!resp) return resp.error();
    out.external.address = base::IpAddress::v4(ntohl(resp->pnu.publicaddress.addr.s_addr));
  }
  uint32_t seconds = uint32_t(std::clamp<int64_t>(lifetime.to_millis() / 1000, 0, UINT32_MAX));
  if (int r = sendnewportmappingrequest(&p, NATPMP_PROTOCOL_UDP, internal_port, suggested_port,
                                        seconds);
      r < 0)
    return base::make_error("NAT-PMP: {}", strnatpmperr(r));
  auto resp = natpmp_answer(p, deadline, "port mapping");
  if (!resp) return resp.error();
  out.external.port = resp->pnu.newportmapping.mappedpublicport;
  out.lifetime = base::Duration::seconds(resp->pnu.newportmapping.lifetime);
  return out;
}

base::Result<std::vector<uint8_t>> udp_exchange(
    const base::Endpoint& to,
    const std::function<std::vector<uint8_t>(const base::IpAddress&)>& build,
    const std::function<bool(base::Bytes)>& accept, base::Duration wait) {
  bool v6 = to.address.is_v6();
  base::UniqueFd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) return base::Error::from_errno("socket");
  sockaddr_storage sa{};
  socklen_t len = to_sockaddr(to, v6, &sa);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), len) != 0)
    return base::Error::from_errno("connect " + to.to_string());
  sockaddr_storage local{};
  socklen_t local_len = sizeof local;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&local), &local_len) != 0)
    return base::Error::from_errno("getsockname");
  std::vector<uint8_t> request = build(from_sockaddr(local).address);
  base::Instant deadline = now() + wait;
  base::Duration rto = base::Duration::millis(250);
  base::Instant next_send = now();
  std::vector<uint8_t> buffer(2048);
  while (true) {
    base::Instant t = now();
    if (t >= deadline) return base::make_error("no answer from {}", to.to_string());
    if (t >= next_send) {
      // A refused send (ICMP unreachable from an earlier one) is retried like a lost one.
      (void)::send(fd.get(), request.data(), request.size(), 0);
      next_send = t + rto;
      rto = rto * 2;
    }
    pollfd pfd{fd.get(), POLLIN, 0};
    ::poll(&pfd, 1, to_poll_ms(std::min(next_send, deadline) - t));
    ssize_t n = ::recv(fd.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n > 0 && accept(base::Bytes(buffer.data(), size_t(n))))
      return std::vector<uint8_t>(buffer.begin(), buffer.begin() + n);
  }
}

}  // namespace mw::os
