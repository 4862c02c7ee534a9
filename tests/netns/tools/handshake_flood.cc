// SPDX-License-Identifier: Apache-2.0
// mw-handshake-flood: for a bounded time, sends WireGuard handshake initiations with random
// content, a random sender index and a valid mac1 for a target's public key from many source
// addresses, and counts the cookie replies (whitepaper §5.4.7) that come back.
//
// A test tool for tests/netns/cookie_flood_test.sh, run inside a network namespace the test owns.
// Every socket binds to one address of --sources (IPv4 only) with IP_FREEBIND; for the kernel to
// send from and deliver to those addresses the namespace routes the range locally, e.g.
//   ip route add local 10.77.128.0/17 dev lo
// and the target routes it back through the link. Prints one line of key=value counts.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
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
#include <unordered_set>
#include <vector>

#include "base/encoding.h"
#include "crypto/blake2s.h"
#include "crypto/random.h"
#include "flood_util.h"
#include "wireguard/cookie.h"
#include "wireguard/messages.h"

namespace {

using mw::flood::Filler;
using mw::flood::parse_endpoint;
using mw::flood::parse_number;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxBatch = 64;
constexpr size_t kMaxSockets = 4096;
constexpr size_t kMac1Offset = mw::wg::kInitiationLen - mw::wg::kMacsLen;  // 116
// How long to keep reading replies after the last initiation went out.
constexpr auto kDrainTime = std::chrono::milliseconds(300);

struct Options {
  sockaddr_in target{};
  mw::crypto::PublicKey public_key{};
  double seconds = 3.0;
  uint32_t source_base = 0;  // host order
  uint32_t source_count = 0;
  size_t socket_count = 256;
  size_t batch = 32;
  uint64_t pps = 0;  // 0: as fast as possible
};

void usage() {
  std::fprintf(stderr,
               "usage: mw-handshake-flood --target IPV4:PORT --public-key BASE64\n"
               "       [--seconds S] [--sources A.B.C.D/N] [--sockets K] [--batch B] [--pps R]\n"
               "Sends 148 B initiations with a valid mac1 for S seconds (default 3, at most 60)\n"
               "from K sockets (default 256) bound to distinct addresses of the range (default\n"
               "10.77.128.0/17), B per sendmmsg (default 32), at most R per second (default: no\n"
               "limit), and counts the 64 B cookie replies.\n");
}

bool parse_prefix(const std::string& text, uint32_t* base, uint32_t* count) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return false;
  unsigned bits = 0;
  if (!parse_number(std::string_view(text).substr(slash + 1), &bits) || bits < 8 || bits > 30) {
    return false;
  }
  in_addr addr{};
  if (inet_pton(AF_INET, text.substr(0, slash).c_str(), &addr) != 1) return false;
  uint32_t mask = ~uint32_t(0) << (32 - bits);
  *base = ntohl(addr.s_addr) & mask;
  *count = ~mask + 1;
  return true;
}

bool parse_options(int argc, char** argv, Options* o) {
  std::string sources = "10.77.128.0/17";
  bool have_target = false, have_key = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") return false;
    if (i + 1 >= argc) {
      std::fprintf(stderr, "mw-handshake-flood: %s needs a value\n", arg.c_str());
      return false;
    }
    std::string value = argv[++i];
    bool ok = true;
    if (arg == "--target") {
      ok = have_target = parse_endpoint(value, &o->target);
    } else if (arg == "--public-key") {
      ok = have_key = mw::base::base64_decode_exact(value, o->public_key);
    } else if (arg == "--seconds") {
      ok = parse_number(value, &o->seconds) && o->seconds > 0 && o->seconds <= 60;
    } else if (arg == "--sources") {
      sources = value;
    } else if (arg == "--sockets") {
      ok = parse_number(value, &o->socket_count) && o->socket_count >= 1 &&
           o->socket_count <= kMaxSockets;
    } else if (arg == "--batch") {
      ok = parse_number(value, &o->batch) && o->batch >= 1 && o->batch <= kMaxBatch;
    } else if (arg == "--pps") {
      ok = parse_number(value, &o->pps);
    } else {
      std::fprintf(stderr, "mw-handshake-flood: unknown option %s\n", arg.c_str());
      return false;
    }
    if (!ok) {
      std::fprintf(stderr, "mw-handshake-flood: bad value for %s: %s\n", arg.c_str(),
                   value.c_str());
      return false;
    }
  }
  if (!parse_prefix(sources, &o->source_base, &o->source_count)) {
    std::fprintf(stderr, "mw-handshake-flood: bad --sources %s\n", sources.c_str());
    return false;
  }
  if (!have_target || !have_key) {
    std::fprintf(stderr, "mw-handshake-flood: --target and --public-key are required\n");
    return false;
  }
  // Host addresses only: skip the range's first and last address.
  o->socket_count = std::min<size_t>(o->socket_count, o->source_count - 2);
  return true;
}

// An initiation (whitepaper §5.4.2): type 1, three zero bytes, sender index, ephemeral,
// encrypted static and timestamp (all random here), mac1 over everything before it, mac2 zero.
uint32_t make_initiation(const mw::crypto::Hash& mac1_key, Filler& filler,
                         mw::wg::InitiationBytes* out) {
  uint8_t* p = out->data();
  for (size_t off = 4; off < kMac1Offset; off += 8) {
    uint64_t r = filler.next();
    std::memcpy(p + off, &r, std::min<size_t>(8, kMac1Offset - off));
  }
  p[0] = uint8_t(mw::wg::MessageType::kInitiation);
  p[1] = p[2] = p[3] = 0;
  uint32_t sender_index = mw::base::load_u32le(p + 4);
  mw::crypto::Mac mac1 = mw::crypto::wg_mac(mac1_key, mw::base::Bytes(p, kMac1Offset));
  std::memcpy(p + kMac1Offset, mac1.data(), mac1.size());
  std::memset(p + kMac1Offset + mac1.size(), 0, mw::crypto::kMacLen);
  return sender_index;
}

struct Counts {
  uint64_t sent = 0;
  uint64_t send_errors = 0;
  int last_send_errno = 0;
  uint64_t cookie_replies = 0;
  uint64_t cookie_replies_matched = 0;  // receiver index is one of our sender indices
  uint64_t other_replies = 0;
};

class Flood {
 public:
  explicit Flood(const Options& o) : o_(o), mac1_key_(mw::wg::mac1_key_for(o.public_key)) {}
  ~Flood() {
    for (int fd : fds_) close(fd);
  }

  // Opens and binds one non-blocking socket per source address; false (with a message) if any
  // fails.
  bool open_sockets() {
    uint32_t stride = std::max<uint32_t>(1, (o_.source_count - 2) / uint32_t(o_.socket_count));
    for (size_t i = 0; i < o_.socket_count; ++i) {
      int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0) return report("socket");
      fds_.push_back(fd);
      int one = 1;
      if (setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one) != 0) {
        return report("IP_FREEBIND");
      }
      sockaddr_in local{};
      local.sin_family = AF_INET;
      local.sin_addr.s_addr = htonl(o_.source_base + 1 + uint32_t(i) * stride);
      if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) return report("bind");
    }
    return true;
  }

  void run() {
    Filler filler(uint64_t(mw::crypto::random_u32()) << 32 | mw::crypto::random_u32());
    sent_indices_.reserve(1 << 20);
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(o_.seconds));
    // Bounded by the deadline; each round sends at most one batch per socket.
    while (true) {
      auto now = Clock::now();
      if (now >= deadline) break;
      bool sent_any = false;
      for (size_t i = 0; i < fds_.size(); ++i) {
        size_t n = o_.batch;
        if (o_.pps) {
          double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
          uint64_t allowed = uint64_t(elapsed * double(o_.pps)) + 1;
          n = allowed > counts_.sent ? std::min<uint64_t>(n, allowed - counts_.sent) : 0;
        }
        if (n) {
          send_batch(fds_[i], n, filler);
          sent_any = true;
        }
        receive(fds_[i]);
      }
      // Ahead of the --pps schedule: yield the CPU instead of spinning.
      if (!sent_any) std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    seconds_ = std::chrono::duration<double>(Clock::now() - start).count();
    drain();
  }

  void print() const {
    std::printf(
        "sent=%llu seconds=%.2f rate_pps=%.0f sources=%zu cookie_replies=%llu "
        "cookie_replies_matched=%llu other_replies=%llu send_errors=%llu%s%s\n",
        static_cast<unsigned long long>(counts_.sent), seconds_,
        seconds_ > 0 ? double(counts_.sent) / seconds_ : 0.0, fds_.size(),
        static_cast<unsigned long long>(counts_.cookie_replies),
        static_cast<unsigned long long>(counts_.cookie_replies_matched),
        static_cast<unsigned long long>(counts_.other_replies),
        static_cast<unsigned long long>(counts_.send_errors),
        counts_.last_send_errno ? " last_send_error=" : "",
        counts_.last_send_errno ? strerrorname(counts_.last_send_errno) : "");
  }

 private:
  static const char* strerrorname(int e) {
    static thread_local char buf[64];
    std::snprintf(buf, sizeof buf, "%d(%s)", e, std::strerror(e));
    for (char* c = buf; *c; ++c) {
      if (*c == ' ') *c = '_';
    }
    return buf;
  }

  bool report(const char* what) {
    std::fprintf(stderr, "mw-handshake-flood: %s: %s\n", what, std::strerror(errno));
    return false;
  }

  void send_batch(int fd, size_t n, Filler& filler) {
    std::array<mmsghdr, kMaxBatch> msgs{};
    std::array<iovec, kMaxBatch> iovs{};
    for (size_t k = 0; k < n; ++k) {
      sent_indices_.insert(make_initiation(mac1_key_, filler, &packets_[k]));
      iovs[k] = {packets_[k].data(), packets_[k].size()};
      msgs[k].msg_hdr.msg_iov = &iovs[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
      msgs[k].msg_hdr.msg_name = const_cast<sockaddr_in*>(&o_.target);
      msgs[k].msg_hdr.msg_namelen = sizeof o_.target;
    }
    int r = sendmmsg(fd, msgs.data(), unsigned(n), 0);
    if (r > 0) {
      counts_.sent += uint64_t(r);
    } else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != ENOBUFS) {
      counts_.send_errors++;
      counts_.last_send_errno = errno;
    }
  }

  // Reads every datagram waiting on fd (bounded by one batch per call).
  void receive(int fd) {
    std::array<mmsghdr, kMaxBatch> msgs{};
    std::array<iovec, kMaxBatch> iovs{};
    for (size_t k = 0; k < kMaxBatch; ++k) {
      iovs[k] = {replies_[k].data(), replies_[k].size()};
      msgs[k].msg_hdr.msg_iov = &iovs[k];
      msgs[k].msg_hdr.msg_iovlen = 1;
    }
    int r = recvmmsg(fd, msgs.data(), unsigned(kMaxBatch), MSG_DONTWAIT, nullptr);
    for (int k = 0; k < r; ++k) {
      mw::base::Bytes datagram(replies_[size_t(k)].data(), msgs[size_t(k)].msg_len);
      if (mw::wg::classify(datagram) == mw::wg::MessageType::kCookieReply) {
        counts_.cookie_replies++;
        if (sent_indices_.count(mw::base::load_u32le(datagram.data() + 4))) {
          counts_.cookie_replies_matched++;
        }
      } else {
        counts_.other_replies++;
      }
    }
  }

  // Collects replies still in flight: polls every socket for up to kDrainTime.
  void drain() {
    std::vector<pollfd> pfds;
    for (int fd : fds_) pfds.push_back({fd, POLLIN, 0});
    auto end = Clock::now() + kDrainTime;
    for (int round = 0; round < 1000 && Clock::now() < end; ++round) {
      int r = poll(pfds.data(), pfds.size(), 20);
      if (r <= 0) continue;
      for (auto& p : pfds) {
        if (p.revents & POLLIN) receive(p.fd);
      }
    }
  }

  const Options& o_;
  mw::crypto::Hash mac1_key_;
  std::vector<int> fds_;
  std::array<mw::wg::InitiationBytes, kMaxBatch> packets_{};
  std::array<std::array<uint8_t, 2048>, kMaxBatch> replies_{};
  std::unordered_set<uint32_t> sent_indices_;
  Counts counts_;
  double seconds_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    usage();
    return 0;
  }
  if (!parse_options(argc, argv, &options)) {
    usage();
    return 2;
  }
  Flood flood(options);
  if (!flood.open_sockets()) return 1;
  flood.run();
  flood.print();
  return 0;
}
