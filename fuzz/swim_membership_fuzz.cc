// SPDX-License-Identifier: Apache-2.0
// Fuzzes a Membership's whole receive path, structure-aware. A fresh Membership (identity 1)
// knows members B (2) and C (3). The input is a list of steps; each starts with a control byte:
//   bits 0-1: 0 raw datagram from B's address (any bytes);
//             1 the bytes become a datagram from B or C (bit 2) with magic, version, a valid
//               type, a fresh counter and a valid mac (or a valid join signature), so the
//               fuzzer reaches statement handling, probes and relays behind the mac;
//             2 advance the clock by (next byte * 50 ms) and tick;
//             3 as 1, but from a new source address (roaming).
//   then a u16 length and that many bytes.
// Invariants: no crash, no sanitizer report, nobody outside the trust store ever becomes a
// member, and the deadline after a tick lies in the future.
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

#include "discovery/membership.h"
#include "discovery/testing/test_peer.h"
#include "fuzz_check.h"
#include "trust/testing/identities.h"

using namespace mw;
using namespace mw::swim;

namespace {

class Null final : public Transport {
 public:
  void send(const base::Endpoint&, base::Bytes d) override {
    fuzz::check(d.size() <= kMaxDatagramLen && Membership::is_mesh_datagram(d));
  }
};

struct World {
  trust::Identity self = trust::testing::identity_from_byte(1);
  testing::TestPeer b{2}, c{3};
  std::vector<uint8_t> intro_b, intro_c;
  PairKey key_b = key(b), key_c = key(c);
  std::vector<crypto::PublicKey> trusted;  // identities 2..5, made once (an Ed25519 key each)
  PairKey key(const testing::TestPeer& p) const {
    return *derive_pair_key(trust::wireguard_private_key(p.identity()), p.id(), self.public_key);
  }
  World() {
    for (uint8_t n = 2; n <= 5; ++n) {
      trusted.push_back(trust::testing::identity_from_byte(n).public_key);
    }
    intro_b = b.gossip(self.public_key, {b.alive(100)});
    intro_c = c.gossip(self.public_key, {c.alive(100)});
  }
};

World& world() {
  static World* w = new World;
  return *w;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  World& w = world();
  trust::TrustStore store(w.self.public_key);
  for (const crypto::PublicKey& k : w.trusted) store.add_authorized_key(k);
  std::mt19937_64 rng(size);
  Membership m(w.self, store, Config{}, [&] { return rng(); });
  base::Instant now = base::Instant::from_nanos(1'000'000'000'000);
  base::WallTime wall{1'700'000'000'000'000'000};
  Null out;
  m.start(now, wall, 100, {testing::test_endpoint(1)}, std::nullopt, 1);
  m.receive(w.intro_b, w.b.endpoint(), now, wall, out);
  m.receive(w.intro_c, w.c.endpoint(), now, wall, out);
  uint64_t counter = 1'000'000;

  size_t pos = 0;
  while (pos + 3 <= size) {
    uint8_t control = data[pos];
    size_t len = size_t(data[pos + 1]) | size_t(data[pos + 2]) << 8;
    pos += 3;
    len = std::min(len, size - pos);
    std::vector<uint8_t> d(data + pos, data + pos + len);
    pos += len;
    uint8_t mode = control & 3;
    if (mode == 2) {
      now += base::Duration::millis(50) * (d.empty() ? 1 : d[0]);
      wall.unix_nanos += (base::Duration::millis(50) * (d.empty() ? 1 : d[0])).to_nanos();
      m.tick(now, wall, out);
      fuzz::check(m.next_deadline() > now);
      continue;
    }
    if (mode == 0) {
      m.receive(d, w.b.endpoint(), now, wall, out);
      continue;
    }
    testing::TestPeer& from = control & 4 ? w.c : w.b;
    if (d.size() < kHeaderLen + kDatagramMacLen) d.resize(kHeaderLen + kDatagramMacLen);
    if (d.size() > kMaxDatagramLen) d.resize(kMaxDatagramLen);
    d[0] = kMeshMagic;
    d[1] = kMeshVersion;
    d[2] = uint8_t(d[2] % 7 + 1);
    d[3] = 0;
    std::memcpy(&d[4], from.id().data(), 32);
    base::store_u64le(&d[36], ++counter);
    if (d[2] == uint8_t(MessageType::kJoin)) {
      if (d.size() < kHeaderLen + kDatagramMacLen + kJoinSignatureLen) {
        d.resize(kHeaderLen + kDatagramMacLen + kJoinSignatureLen);
      }
      sign_join(d, from.identity());
      seal_join(d);
    } else {
      seal_mac(d, control & 4 ? w.key_c : w.key_b);
    }
    base::Endpoint src =
        mode == 3 ? testing::test_endpoint(uint8_t(200 + (control >> 3) % 50)) : from.endpoint();
    m.receive(d, src, now, wall, out);
  }
  for (const MemberView& v : m.members()) {
    bool known = false;
    for (const crypto::PublicKey& k : w.trusted) known |= v.id == k;
    fuzz::check(known);
  }
  fuzz::check(m.alive_count() <= m.members().size());
  return 0;
}
