// SPDX-License-Identifier: Apache-2.0
// mw-mesh-claim-flood: for a bounded time, sends mesh pings (docs/mesh.md §1, 97 bytes) that
// claim to come from a trusted identity (--claim) and name the target's identity (--target-id),
// with a random counter, sequence number and MAC, each from the next source address of a large
// range, cycling over its /24s first (so a per-/24 limiter sees a new source every datagram).
//
// The attack of issue 13, item 1: before the pair-key cache, each such datagram from a new /24
// cost the target one X25519. A test tool for tests/stress, run inside a network namespace the
// test owns: it writes IPv4 headers itself on a raw socket (needs CAP_NET_RAW), so the range need
// not be routed locally; the target's namespace routes it back to the attacker. Prints one line
// of key=value counts.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "base/encoding.h"
#include "crypto/keys.h"
#include "crypto/random.h"
#include "flood_util.h"

namespace {

using mw::flood::Filler;
using mw::flood::parse_endpoint;
using mw::flood::parse_number;
using Clock = std::chrono::steady_clock;

constexpr size_t kBatch = 64;
constexpr size_t kPingLen = 4 + 32 + 8 + 4 + 32 + 1 + 16;  // 97
constexpr size_t kPacketLen = sizeof(iphdr) + sizeof(udphdr) + kPingLen;

struct Options {
  sockaddr_in target{};
  mw::crypto::PublicKey claim{};
  mw::crypto::PublicKey target_id{};
  double seconds = 3.0;
  uint32_t source_base = 0;  // host order
  uint32_t source_bits = 0;
  uint64_t pps = 0;  // 0: as fast as possible
};

void usage() {
  std::fprintf(stderr,
               "usage: mw-mesh-claim-flood --target IPV4:PORT --claim BASE64 --target-id BASE64\n"
               "       [--seconds S] [--sources A.B.C.D/N] [--pps R]\n"
               "Sends 97 B mesh pings claiming identity --claim, addressed to --target-id, for S\n"
               "seconds (default 3, at most 600), each from the next address of the range\n"
               "(default 10.128.0.0/9, N from 8 to 22), /24 by /24, at most R per second\n"
               "(default: no limit). Needs CAP_NET_RAW.\n");
}

bool parse_prefix(const std::string& text, uint32_t* base, uint32_t* bits) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  if (!parse_number(std::string_view(text).substr(slash + 1), bits) || *bits < 8 || *bits > 22) {
    return false;
  }
  in_addr addr{};
  if (inet_pton(AF_INET, text.substr(0, slash).c_str(), &addr) != 1) return false;
  *base = ntohl(addr.s_addr) & (~uint32_t(0) << (32 - *bits));
  return true;
}

bool parse_options(int argc, char** argv, Options* o) {
  std::string sources = "10.128.0.0/9";
  bool have_target = false, have_claim = false, have_id = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) {
      std::fprintf(stderr, "mw-mesh-claim-flood: %s needs a value\n", arg.c_str());
      return false;
    }
    std::string value = argv[++i];
    bool ok = true;
    if (arg == "--target") {
      ok = have_target = parse_endpoint(value, &o->target);
    } else if (arg == "--claim") {
      ok = have_claim = mw::base::base64_decode_exact(value, o->claim);
    } else if (arg == "--target-id") {
      ok = have_id = mw::base::base64_decode_exact(value, o->target_id);
    } else if (arg == "--seconds") {
      ok = parse_number(value, &o->seconds) && o->seconds > 0 && o->seconds <= 600;
    } else if (arg == "--sources") {
      sources = value;
    } else if (arg == "--pps") {
      ok = parse_number(value, &o->pps);
    } else {
      std::fprintf(stderr, "mw-mesh-claim-flood: unknown option %s\n", arg.c_str());
      return false;
    }
    if (!ok) {
      std::fprintf(stderr, "mw-mesh-claim-flood: bad value for %s: %s\n", arg.c_str(),
                   value.c_str());
      return false;
    }
  }
  if (!parse_prefix(sources, &o->source_base, &o->source_bits)) {
    std::fprintf(stderr, "mw-mesh-claim-flood: bad --sources %s (a /8 to /22)\n", sources.c_str());
    return false;
  }
  if (!have_target || !have_claim || !have_id) {
    std::fprintf(stderr, "mw-mesh-claim-flood: --target, --claim and --target-id are required\n");
    return false;
  }
  return true;
}

class Flood {
 public:
  explicit Flood(const Options& o) : o_(o), nets_(uint32_t(1) << (24 - o.source_bits)) {}
  ~Flood() {
    if (fd_ >= 0) close(fd_);
  }

  bool open_socket() {
    fd_ = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);  // implies IP_HDRINCL
    if (fd_ < 0) {
      std::fprintf(stderr, "mw-mesh-claim-flood: raw socket: %s (needs CAP_NET_RAW)\n",
                   std::strerror(errno));
      return false;
    }
    return true;
  }

  void run() {
    Filler filler(uint64_t(mw::crypto::random_u32()) << 32 | mw::crypto::random_u32());
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(o_.seconds));
    while (Clock::now() < deadline) {  // bounded by the deadline
      size_t n = kBatch;
      if (o_.pps) {
        double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
        uint64_t allowed = uint64_t(elapsed * double(o_.pps)) + 1;
        n = allowed > sent_ ? std::min<uint64_t>(n, allowed - sent_) : 0;
        if (n == 0) {
          std::this_thread::sleep_for(std::chrono::microseconds(200));
          continue;
        }
      }
      send_batch(n, filler);
    }
    seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
  }

  void print() const {
    std::printf("sent=%llu seconds=%.2f rate_pps=%.0f source_nets=%u send_errors=%llu%s%s\n",
                static_cast<unsigned long long>(sent_), seconds_,
                seconds_ > 0 ? double(sent_) / seconds_ : 0.0, nets_,
                static_cast<unsigned long long>(send_errors_), last_errno_ ? " last_error=" : "",
                last_errno_ ? std::strerror(last_errno_) : "");
  }

 private:
  // Datagram n comes from /24 number n mod nets, host 1 + (n / nets) mod 254 in it.
  uint32_t source(uint64_t n) const {
    uint32_t net = uint32_t(n % nets_);
    uint32_t host = 1 + uint32_t((n / nets_) % 254);
    return o_.source_base + (net << 8) + host;
  }

  void fill(uint8_t* p, uint64_t n, Filler& filler) {
    std::memset(p, 0, kPacketLen);
    auto* ip = reinterpret_cast<iphdr*>(p);
    ip->version = 4;
    ip->ihl = 5;
    ip->ttl = 64;
    ip->protocol = IPPROTO_UDP;
    ip->tot_len = htons(uint16_t(kPacketLen));  // the kernel fills the checksum and the id
    ip->saddr = htonl(source(n));
    ip->daddr = o_.target.sin_addr.s_addr;
    auto* udp = reinterpret_cast<udphdr*>(p + sizeof(iphdr));
    udp->source = htons(uint16_t(40000 + n % 20000));
    udp->dest = o_.target.sin_port;
    udp->len = htons(uint16_t(sizeof(udphdr) + kPingLen));
    udp->check = 0;  // none (allowed for UDP over IPv4)
    uint8_t* m = p + sizeof(iphdr) + sizeof(udphdr);
    m[0] = 0xED;  // magic
    m[1] = 1;     // version
    m[2] = 1;     // ping
    m[3] = 0;
    std::memcpy(m + 4, o_.claim.data(), 32);
    uint64_t counter = filler.next();
    std::memcpy(m + 36, &counter, 8);
    uint32_t seq = uint32_t(filler.next());
    std::memcpy(m + 44, &seq, 4);
    std::memcpy(m + 48, o_.target_id.data(), 32);
    m[80] = 0;  // no gossip
    uint64_t mac[2] = {filler.next(), filler.next()};
    std::memcpy(m + 81, mac, 16);
  }

  void send_batch(size_t n, Filler& filler) {
    std::array<mmsghdr, kBatch> msgs{};
    std::array<iovec, kBatch> iovs{};
    for (size_t k = 0; k < n; ++k) {
      fill(packets_[k].data(), sent_ + k, filler);
      iovs[k] = {packets_[k].data(), kPacketLen};
      msgs[k].msg_hdr.msg_iov = &iovs[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_name = const_cast<sockaddr_in*>(&o_.target);
      msgs[k].msg_hdr.msg_namelen = sizeof o_.target;
    }
    int r = sendmmsg(fd_, msgs.data(), unsigned(n), 0);
    if (r > 0) {
      sent_ += uint64_t(r);
    } else if (r < 0 && errno != EAGAIN && errno != ENOBUFS) {
      ++send_errors_;
      last_errno_ = errno;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  const Options& o_;
  uint32_t nets_;
  int fd_ = -1;
  std::array<std::array<uint8_t, kPacketLen>, kBatch> packets_{};
  uint64_t sent_ = 0;
  uint64_t send_errors_ = 0;
  int last_errno_ = 0;
  double seconds_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    usage();
    return 0;
  }
  Options options;
  if (!parse_options(argc, argv, &options)) {
    usage();
    return 2;
  }
  Flood flood(options);
  if (!flood.open_socket()) return 1;
  flood.run();
  flood.print();
  return 0;
}
