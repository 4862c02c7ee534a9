// SPDX-License-Identifier: Apache-2.0
// TUN device creation (TUNSETIFF on /dev/net/tun) and batched non-blocking I/O.
#include "os/tun.h"

#include <fcntl.h>
#include <net/if.h>
// After net/if.h, which linux/if_tun.h must not redefine.
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace mw::os {

namespace {

// Debian 12's headers lack the USO flags (Linux 6.2).
constexpr unsigned kTunFCsum = 0x01, kTunFTso4 = 0x02, kTunFTso6 = 0x04, kTunFUso4 = 0x20,
                   kTunFUso6 = 0x40;

}  // namespace

base::Result<Tun> Tun::open(const std::string& name, int mtu, TunOffloads want) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    return base::make_error("interface name '{}' must be 1 to {} characters", name, IFNAMSIZ - 1);
  Tun t;
  t.fd_.reset(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
  if (!t.fd_.valid()) return base::Error::from_errno("open /dev/net/tun");
  struct ifreq ifr {};
  ifr.ifr_flags = short(IFF_TUN | IFF_NO_PI | (want.vnet_hdr ? IFF_VNET_HDR : 0));
  std::strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(t.fd_.get(), TUNSETIFF, &ifr) < 0)
    return base::Error::from_errno("create TUN interface " + name);
  t.name_ = ifr.ifr_name;
  if (want.vnet_hdr) {
    t.offloads_.vnet_hdr = true;
    int hdr_len = 10;
    if (ioctl(t.fd_.get(), TUNSETVNETHDRSZ, &hdr_len) < 0)
      return base::Error::from_errno("TUNSETVNETHDRSZ on " + t.name_);
    unsigned tso = kTunFCsum | kTunFTso4 | kTunFTso6;
    unsigned uso = kTunFUso4 | kTunFUso6;
    if (want.tso && want.uso && ioctl(t.fd_.get(), TUNSETOFFLOAD, tso | uso) == 0) {
      t.offloads_.tso = t.offloads_.uso = true;
    } else if (want.tso && ioctl(t.fd_.get(), TUNSETOFFLOAD, tso) == 0) {
      t.offloads_.tso = true;
    } else {
      (void)ioctl(t.fd_.get(), TUNSETOFFLOAD, kTunFCsum);  // packets still carry the header
    }
  }
  base::UniqueFd sock(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!sock.valid()) return base::Error::from_errno("socket");
  ifr.ifr_mtu = mtu;
  if (ioctl(sock.get(), SIOCSIFMTU, &ifr) < 0)
    return base::Error::from_errno("set MTU of " + t.name_);
  t.ifindex_ = int(if_nametoindex(t.name_.c_str()));
  return t;
}

base::Result<size_t> Tun::read_batch(std::span<PacketSlot> slots) {
  size_t n = 0;
  for (; n < slots.size(); ++n) {
    ssize_t r = ::read(fd_.get(), slots[n].data, slots[n].capacity);
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      return base::Error::from_errno("read " + name_);
    }
    slots[n].length = size_t(r);
  }
  return n;
}

base::Result<void> Tun::write_batch(std::span<const PacketSlot> packets, uint64_t* dropped) {
  for (const PacketSlot& p : packets) {
    ssize_t r = ::write(fd_.get(), p.data, p.length);
    if (r < 0) {
      if (errno == EBADFD || errno == ENODEV) return base::Error::from_errno("write " + name_);
      ++*dropped;  // EAGAIN, EINVAL (packet the kernel refuses), ...: drop this one
    }
  }
  return {};
}

}  // namespace mw::os
