// SPDX-License-Identifier: Apache-2.0
// The seed corpora of the swim fuzz targets: checks that each seed decodes as intended and,
// with MW_WRITE_SWIM_CORPUS=<fuzz/corpus dir> set, writes them (swim_messages/ and
// swim_membership/) so that they can be regenerated after a wire change.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "discovery/messages.h"
#include "discovery/testing/test_peer.h"

namespace mw::swim {
namespace {

using testing::TestPeer;

struct Seed {
  std::string name;
  std::vector<uint8_t> bytes;
};

std::vector<Seed> message_seeds() {
  TestPeer a(1), b(2), c(3);
  std::vector<Seed> seeds;
  Message ping;
  ping.type = MessageType::kPing;
  ping.seq = 7;
  ping.target = b.id();
  ping.gossip = testing::items({a.alive(100), c.accuse(StatementKind::kSuspect, b.id(), 9)});
  seeds.push_back({"ping", a.seal(b.id(), ping)});
  Message ack;
  ack.type = MessageType::kAck;
  ack.seq = 7;
  ack.observed = a.endpoint();
  seeds.push_back({"ack", b.seal(a.id(), ack)});
  Message req;
  req.type = MessageType::kPingReq;
  req.seq = 8;
  req.target = c.id();
  req.target_endpoint = c.endpoint();
  req.gossip.push_back(GossipItem{c.accuse(StatementKind::kDead, b.id(), 3), b.endpoint()});
  seeds.push_back({"ping_req", a.seal(b.id(), req)});
  Message nack;
  nack.type = MessageType::kNack;
  nack.seq = 8;
  seeds.push_back({"nack", b.seal(a.id(), nack)});
  Message sync;
  sync.type = MessageType::kSync;
  sync.sync_flags = kSyncReplyWanted;
  sync.gossip = testing::items({a.alive(100), b.alive(5), c.leave(4)});
  seeds.push_back({"sync", a.seal(b.id(), sync)});
  seeds.push_back({"join", c.join(c.alive(77))});
  seeds.push_back({"gossip", a.gossip(b.id(), {b.alive(6)})});
  return seeds;
}

// Steps for swim_membership_fuzz: control byte, u16 length, bytes (mac fixed up by the target).
std::vector<uint8_t> step(uint8_t control, const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> out(3 + bytes.size());
  out[0] = control;
  out[1] = uint8_t(bytes.size());
  out[2] = uint8_t(bytes.size() >> 8);
  std::copy(bytes.begin(), bytes.end(), out.begin() + 3);
  return out;
}

std::vector<Seed> membership_seeds() {
  TestPeer self(1), b(2), c(3), d(4);
  std::vector<Seed> seeds;
  auto msg = [&](MessageType t, std::vector<Statement> g, uint32_t seq = 1) {
    Message m;
    m.type = t;
    m.seq = seq;
    if (t == MessageType::kPing) m.target = self.id();
    if (t == MessageType::kPingReq) {
      m.target = c.id();
      m.target_endpoint = c.endpoint();
    }
    m.gossip = testing::items(std::move(g));
    return b.seal(self.id(), m);
  };
  auto cat = [](std::vector<std::vector<uint8_t>> parts) {
    std::vector<uint8_t> out;
    for (auto& p : parts) {
      for (uint8_t x : p) out.push_back(x);
    }
    return out;
  };
  seeds.push_back({"ping", step(1, msg(MessageType::kPing, {}))});
  seeds.push_back(
      {"suspect_then_tick",
       cat({step(1, msg(MessageType::kGossip, {b.accuse(StatementKind::kSuspect, c.id(), 100)})),
            step(2, {200})})});
  seeds.push_back({"new_member", step(1, msg(MessageType::kGossip, {d.alive(5)}))});
  seeds.push_back(
      {"ping_req_then_tick", cat({step(1, msg(MessageType::kPingReq, {})), step(2, {20})})});
  seeds.push_back({"refute", step(5, msg(MessageType::kGossip,
                                         {c.accuse(StatementKind::kDead, self.id(), 100)}))});
  seeds.push_back({"probe_cycle", cat({step(2, {30}), step(1, msg(MessageType::kAck, {}, 1)),
                                       step(2, {30}), step(3, msg(MessageType::kNack, {}, 2))})});
  seeds.push_back({"raw", step(0, msg(MessageType::kSync, {b.leave(100)}))});
  return seeds;
}

void write(const char* dir, const std::string& sub, const std::vector<Seed>& seeds) {
  for (const Seed& s : seeds) {
    std::ofstream f(std::string(dir) + "/" + sub + "/" + s.name, std::ios::binary);
    f.write(reinterpret_cast<const char*>(s.bytes.data()), std::streamsize(s.bytes.size()));
    ASSERT_TRUE(f.good()) << sub << "/" << s.name;
  }
}

TEST(SwimCorpus, SeedsDecode) {
  for (const Seed& s : message_seeds()) {
    Message m;
    EXPECT_EQ(decode_message(s.bytes, &m), DecodeError::kOk) << s.name;
  }
  EXPECT_EQ(membership_seeds().size(), 7u);
  if (const char* dir = std::getenv("MW_WRITE_SWIM_CORPUS")) {
    write(dir, "swim_messages", message_seeds());
    write(dir, "swim_membership", membership_seeds());
  }
}

}  // namespace
}  // namespace mw::swim
