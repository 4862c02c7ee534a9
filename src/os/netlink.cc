// SPDX-License-Identifier: Apache-2.0
// rtnetlink requests (rtnetlink(7): RTM_NEWLINK, RTM_NEWADDR/DELADDR, RTM_NEWROUTE/DELROUTE and
// their dumps) built and parsed with libmnl.
#include "os/netlink.h"

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>

namespace mw::os {
namespace {

struct MnlClose {
  void operator()(mnl_socket* s) const { mnl_socket_close(s); }
};
using MnlSocket = std::unique_ptr<mnl_socket, MnlClose>;

// A receive buffer large enough for any dump part the kernel sends (it sizes them to 32 KiB
// at most for a reader offering that much).
constexpr size_t kBufferLen = 32768;

uint32_t next_seq() {
  static std::atomic<uint32_t> seq{1};
  return seq.fetch_add(1, std::memory_order_relaxed);
}

// Sends `nlh` (NLM_F_ACK or NLM_F_DUMP set) and reads replies until the ACK or NLMSG_DONE,
// passing each data message to `cb`. A NLMSG_ERROR reply becomes "netlink: <what>: <strerror>".
base::Result<void> talk(nlmsghdr* nlh, const std::string& what, mnl_cb_t cb = nullptr,
                        void* data = nullptr) {
  std::string prefix = "netlink: " + what;
  MnlSocket nl(mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC));
  if (!nl) return base::Error::from_errno(prefix + ": open socket");
  if (mnl_socket_bind(nl.get(), 0, MNL_SOCKET_AUTOPID) < 0)
    return base::Error::from_errno(prefix + ": bind socket");
  uint32_t portid = mnl_socket_get_portid(nl.get());
  nlh->nlmsg_seq = next_seq();
  if (mnl_socket_sendto(nl.get(), nlh, nlh->nlmsg_len) < 0) return base::Error::from_errno(prefix);
  std::vector<char> buf(kBufferLen);
  while (true) {
    ssize_t n = mnl_socket_recvfrom(nl.get(), buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return base::Error::from_errno(prefix);
    }
    int r = mnl_cb_run(buf.data(), size_t(n), nlh->nlmsg_seq, portid, cb, data);
    if (r < 0) return base::Error::from_errno(prefix);
    if (r == MNL_CB_STOP) return {};
  }
}

// The request buffer with its header: type, flags, and room for attributes.
struct Message {
  explicit Message(uint16_t type, uint16_t flags) {
    nlh = mnl_nlmsg_put_header(buf.data());
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
  }
  template <typename T>
  T* extra() {
    return static_cast<T*>(mnl_nlmsg_put_extra_header(nlh, sizeof(T)));
  }
  alignas(nlmsghdr) std::array<char, 1024> buf{};
  nlmsghdr* nlh;
};

base::Result<uint32_t> index_for(const std::string& name, const std::string& what) {
  auto index = interface_index(name);
  if (!index)
    return base::Error(fmt::format("netlink: {}: {}", what, index.error().message()),
                       index.error().sys_errno());
  return uint32_t(*index);
}

uint8_t family_of(const base::IpAddress& a) { return a.is_v4() ? AF_INET : AF_INET6; }

base::Result<void> check_address(const base::IpAddress& address, uint8_t prefix_len,
                                 const std::string& what) {
  if (address.empty()) return base::make_error("netlink: {}: no address", what);
  if (prefix_len > address.length() * 8)
    return base::Error(fmt::format("netlink: {}: prefix length {} is too long", what, prefix_len),
                       EINVAL);
  return {};
}

base::Result<void> change_address(uint16_t type, uint16_t flags, const std::string& name,
                                  const base::IpAddress& address, uint8_t prefix_len,
                                  const std::string& what) {
  MW_RETURN_IF_ERROR(check_address(address, prefix_len, what));
  auto index = index_for(name, what);
  if (!index) return index.error();
  Message m(type, NLM_F_ACK | flags);
  auto* ifa = m.extra<ifaddrmsg>();
  ifa->ifa_family = family_of(address);
  ifa->ifa_prefixlen = prefix_len;
  ifa->ifa_flags = address.is_v6() ? IFA_F_NODAD : 0;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = *index;
  // As ip(8) does: IFA_LOCAL is the address, and IFA_ADDRESS the same for a non-peer address
  // (on a point-to-point link such as a TUN it would otherwise name the peer).
  mnl_attr_put(m.nlh, IFA_LOCAL, address.length(), address.data());
  mnl_attr_put(m.nlh, IFA_ADDRESS, address.length(), address.data());
  return talk(m.nlh, what);
}

base::Result<void> change_route(uint16_t type, uint16_t flags, const std::string& name,
                                const base::IpPrefix& destination, const std::string& what) {
  MW_RETURN_IF_ERROR(check_address(destination.address, destination.length, what));
  auto index = index_for(name, what);
  if (!index) return index.error();
  Message m(type, NLM_F_ACK | flags);
  auto* rtm = m.extra<rtmsg>();
  rtm->rtm_family = family_of(destination.address);
  rtm->rtm_dst_len = destination.length;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_type = RTN_UNICAST;
  if (type == RTM_NEWROUTE) {
    rtm->rtm_protocol = RTPROT_STATIC;
    rtm->rtm_scope = RT_SCOPE_LINK;
  } else {
    rtm->rtm_scope = RT_SCOPE_NOWHERE;  // deletion matches routes of any scope and protocol
  }
  if (destination.length > 0)
    mnl_attr_put(m.nlh, RTA_DST, destination.address.length(), destination.address.data());
  mnl_attr_put_u32(m.nlh, RTA_OIF, *index);
  return talk(m.nlh, what);
}

// Collects attributes by type; `tb` has room for `max + 1` entries.
struct AttrTable {
  const nlattr** tb;
  uint16_t max;
};

int collect_attr(const nlattr* attr, void* data) {
  auto* t = static_cast<AttrTable*>(data);
  uint16_t type = mnl_attr_get_type(attr);
  if (type <= t->max) t->tb[type] = attr;
  return MNL_CB_OK;
}

base::IpAddress address_from_attr(const nlattr* attr, uint8_t family) {
  size_t len = mnl_attr_get_payload_len(attr);
  const auto* p = static_cast<const uint8_t*>(mnl_attr_get_payload(attr));
  if (family == AF_INET && len == 4) return base::IpAddress::v4({p[0], p[1], p[2], p[3]});
  if (family == AF_INET6 && len == 16) {
    std::array<uint8_t, 16> b;
    std::memcpy(b.data(), p, 16);
    return base::IpAddress::v6(b);
  }
  return {};
}

struct LinkQuery {
  LinkInfo info;
};

int on_link(const nlmsghdr* nlh, void* data) {
  auto* q = static_cast<LinkQuery*>(data);
  const auto* ifi = static_cast<const ifinfomsg*>(mnl_nlmsg_get_payload(nlh));
  std::array<const nlattr*, IFLA_MAX + 1> tb{};
  AttrTable t{tb.data(), IFLA_MAX};
  mnl_attr_parse(nlh, sizeof(*ifi), collect_attr, &t);
  q->info.index = ifi->ifi_index;
  q->info.up = (ifi->ifi_flags & IFF_UP) != 0;
  if (tb[IFLA_MTU] && mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) == 0)
    q->info.mtu = int(mnl_attr_get_u32(tb[IFLA_MTU]));
  return MNL_CB_OK;
}

struct AddressQuery {
  uint32_t index;
  std::vector<InterfaceAddress> out;
};

int on_address(const nlmsghdr* nlh, void* data) {
  auto* q = static_cast<AddressQuery*>(data);
  const auto* ifa = static_cast<const ifaddrmsg*>(mnl_nlmsg_get_payload(nlh));
  if (ifa->ifa_index != q->index) return MNL_CB_OK;
  std::array<const nlattr*, IFA_MAX + 1> tb{};
  AttrTable t{tb.data(), IFA_MAX};
  mnl_attr_parse(nlh, sizeof(*ifa), collect_attr, &t);
  const nlattr* a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
  if (!a) return MNL_CB_OK;
  base::IpAddress address = address_from_attr(a, ifa->ifa_family);
  if (!address.empty()) q->out.push_back({address, ifa->ifa_prefixlen});
  return MNL_CB_OK;
}

struct RouteQuery {
  uint32_t index;
  std::vector<base::IpPrefix> out;
};

int on_route(const nlmsghdr* nlh, void* data) {
  auto* q = static_cast<RouteQuery*>(data);
  const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
  if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6) return MNL_CB_OK;
  std::array<const nlattr*, RTA_MAX + 1> tb{};
  AttrTable t{tb.data(), RTA_MAX};
  mnl_attr_parse(nlh, sizeof(*rtm), collect_attr, &t);
  uint32_t table = rtm->rtm_table;
  if (tb[RTA_TABLE] && mnl_attr_validate(tb[RTA_TABLE], MNL_TYPE_U32) == 0)
    table = mnl_attr_get_u32(tb[RTA_TABLE]);
  if (table != RT_TABLE_MAIN || rtm->rtm_type != RTN_UNICAST) return MNL_CB_OK;
  if (!tb[RTA_OIF] || mnl_attr_validate(tb[RTA_OIF], MNL_TYPE_U32) != 0 ||
      mnl_attr_get_u32(tb[RTA_OIF]) != q->index)
    return MNL_CB_OK;
  base::IpAddress dst;
  if (tb[RTA_DST]) {
    dst = address_from_attr(tb[RTA_DST], rtm->rtm_family);
  } else {
    dst = rtm->rtm_family == AF_INET ? base::IpAddress::v4(0u)
                                     : base::IpAddress::v6(std::array<uint8_t, 16>{});
  }
  if (dst.empty()) return MNL_CB_OK;
  if (auto p = base::IpPrefix::make(dst, rtm->rtm_dst_len)) q->out.push_back(*p);
  return MNL_CB_OK;
}

}  // namespace

base::Result<int> interface_index(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    return base::Error(
        fmt::format("interface name '{}' must be 1 to {} characters", name, IFNAMSIZ - 1), EINVAL);
  unsigned index = if_nametoindex(name.c_str());
  if (index == 0) return base::Error(fmt::format("no interface named {}", name), ENODEV);
  return int(index);
}

base::Result<void> set_link_up(const std::string& name, int mtu) {
  std::string what = fmt::format("set {} up with MTU {}", name, mtu);
  if (mtu <= 0) return base::Error::from_errno("netlink: " + what, EINVAL);
  auto index = index_for(name, what);
  if (!index) return index.error();
  Message m(RTM_NEWLINK, NLM_F_ACK);
  auto* ifi = m.extra<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = int(*index);
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  mnl_attr_put_u32(m.nlh, IFLA_MTU, uint32_t(mtu));
  return talk(m.nlh, what);
}

base::Result<void> add_address(const std::string& name, const base::IpAddress& address,
                               uint8_t prefix_len) {
  return change_address(
      RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, name, address, prefix_len,
      fmt::format("add address {}/{} to {}", address.to_string(), prefix_len, name));
}

base::Result<void> remove_address(const std::string& name, const base::IpAddress& address,
                                  uint8_t prefix_len) {
  return change_address(
      RTM_DELADDR, 0, name, address, prefix_len,
      fmt::format("remove address {}/{} from {}", address.to_string(), prefix_len, name));
}

base::Result<void> add_route(const std::string& name, const base::IpPrefix& destination) {
  return change_route(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, name, destination,
                      fmt::format("add route {} dev {}", destination.to_string(), name));
}

base::Result<void> remove_route(const std::string& name, const base::IpPrefix& destination) {
  return change_route(RTM_DELROUTE, 0, name, destination,
                      fmt::format("remove route {} dev {}", destination.to_string(), name));
}

base::Result<LinkInfo> link_info(const std::string& name) {
  std::string what = "read link " + name;
  auto index = index_for(name, what);
  if (!index) return index.error();
  Message m(RTM_GETLINK, NLM_F_ACK);
  auto* ifi = m.extra<ifinfomsg>();
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = int(*index);
  LinkQuery q;
  MW_RETURN_IF_ERROR(talk(m.nlh, what, on_link, &q));
  if (q.info.index != int(*index)) return base::make_error("netlink: {}: no answer", what);
  return q.info;
}

base::Result<std::vector<InterfaceAddress>> interface_addresses(const std::string& name) {
  std::string what = "list addresses of " + name;
  auto index = index_for(name, what);
  if (!index) return index.error();
  Message m(RTM_GETADDR, NLM_F_DUMP);
  m.extra<ifaddrmsg>()->ifa_family = AF_UNSPEC;
  AddressQuery q{*index, {}};
  MW_RETURN_IF_ERROR(talk(m.nlh, what, on_address, &q));
  return std::move(q.out);
}

base::Result<std::vector<base::IpPrefix>> interface_routes(const std::string& name) {
  std::string what = "list routes of " + name;
  auto index = index_for(name, what);
  if (!index) return index.error();
  Message m(RTM_GETROUTE, NLM_F_DUMP);
  m.extra<rtmsg>()->rtm_family = AF_UNSPEC;
  RouteQuery q{*index, {}};
  MW_RETURN_IF_ERROR(talk(m.nlh, what, on_route, &q));
  return std::move(q.out);
}

}  // namespace mw::os
