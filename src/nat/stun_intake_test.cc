// SPDX-License-Identifier: Apache-2.0
#include "nat/stun_intake.h"

#include <gtest/gtest.h>

#include <vector>

namespace mw::nat {
namespace {

using base::Endpoint;

Endpoint ep(const char* s) { return *Endpoint::parse(s); }

// A Binding success answering `id`, mapping us to 10.99.1.1:51821.
std::vector<uint8_t> answer(const TransactionId& id) {
  std::vector<uint8_t> d(32);
  base::store_u16be(d.data(), kStunBindingSuccess);
  base::store_u16be(d.data() + 2, 12);
  base::store_u32be(d.data() + 4, kStunMagicCookie);
  std::copy(id.begin(), id.end(), d.begin() + 8);
  base::store_u16be(d.data() + 20, kStunAttrMappedAddress);
  base::store_u16be(d.data() + 22, 8);
  d[25] = 1;
  base::store_u16be(d.data() + 26, 51821);
  d[28] = 10, d[29] = 99, d[30] = 1, d[31] = 1;
  return d;
}

TEST(StunIntake, EachKindOfDatagram) {
  uint64_t n = 0;
  StunClient client(StunClientConfig{}, [&] { return ++n; });
  StunServerState server;
  server.name = "lab";
  server.endpoint = ep("10.99.0.10:3478");
  client.set_servers({server});
  std::vector<std::vector<uint8_t>> sent;
  base::Instant now = base::Instant::from_nanos(int64_t{1} << 40);
  client.tick(now, [&](const Endpoint&, base::Bytes d) { sent.emplace_back(d.begin(), d.end()); });
  ASSERT_EQ(sent.size(), 1u);
  TransactionId ours = *parse_binding_request(sent[0]);
  ReflexiveAddresses reflexive;
  Endpoint mapped;
  std::string name;
  auto take = [&](const std::vector<uint8_t>& d, const char* from,
                  std::optional<TransactionId> own = std::nullopt) {
    StunTaken t = take_stun(d, ep(from), now, StunParties{client, reflexive, {}, own});
    mapped = t.mapped;
    name = t.server;
    return t.intake;
  };

  EXPECT_EQ(take(std::vector<uint8_t>(40, 1), "10.99.0.10:3478"), StunIntake::kNotStun);
  TransactionId hairpin = make_transaction_id(7, 8);
  auto probe = encode_binding_request(hairpin);
  std::vector<uint8_t> request(probe.begin(), probe.end());
  EXPECT_EQ(take(request, "10.99.1.1:51821", hairpin), StunIntake::kOwnRequest);
  EXPECT_EQ(take(request, "10.99.1.1:51821"), StunIntake::kOtherRequest);
  auto bad = answer(ours);
  bad[25] = 9;  // family 9
  EXPECT_EQ(take(bad, "10.99.0.10:3478"), StunIntake::kMalformed);
  EXPECT_EQ(take(answer(ours), "10.99.0.66:3478"), StunIntake::kUnmatched);
  EXPECT_TRUE(reflexive.observations().empty());
  EXPECT_EQ(take(answer(ours), "10.99.0.10:3478"), StunIntake::kNewAddress);
  EXPECT_EQ(mapped, ep("10.99.1.1:51821"));
  EXPECT_EQ(name, "lab");
  ASSERT_EQ(reflexive.observations().size(), 1u);
  // The same answer again: its transaction is over.
  EXPECT_EQ(take(answer(ours), "10.99.0.10:3478"), StunIntake::kUnmatched);
}

TEST(StunIntake, AFilteringAnswerGoesToItsTest) {
  uint64_t n = 0;
  StunClient client(StunClientConfig{}, [&] { return ++n; });
  ReflexiveAddresses reflexive;
  std::array<FilteringTest, 1> filtering{FilteringTest({}, [&] { return ++n; })};
  base::Instant now = base::Instant::from_nanos(int64_t{1} << 40);
  ASSERT_TRUE(filtering[0].start(ep("10.99.0.10:3478"), ep("10.99.0.11:3479"), now));
  std::vector<TransactionId> ids;
  filtering[0].tick(
      now, [&](const Endpoint&, base::Bytes d) { ids.push_back(*parse_binding_request(d)); });
  ASSERT_EQ(ids.size(), 2u);
  StunParties parties{client, reflexive, filtering, std::nullopt};
  // The answer to test II comes from the server's other address, which the client never asked.
  EXPECT_EQ(take_stun(answer(ids[0]), ep("10.99.0.11:3479"), now, parties).intake,
            StunIntake::kFiltering);
  EXPECT_EQ(filtering[0].result(), Filtering::kEndpointIndependent);
  EXPECT_TRUE(reflexive.observations().empty()) << "not an observation of the client's";
  // Without the test, the same answer is a stranger's.
  parties.filtering = {};
  EXPECT_EQ(take_stun(answer(ids[0]), ep("10.99.0.11:3479"), now, parties).intake,
            StunIntake::kUnmatched);
}

}  // namespace
}  // namespace mw::nat
