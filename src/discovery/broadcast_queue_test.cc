// SPDX-License-Identifier: Apache-2.0
// Tests for the transmit-limited broadcast queue (memberlist queue_test.go in spirit).
#include "discovery/broadcast_queue.h"

#include <gtest/gtest.h>

#include "trust/testing/identities.h"

namespace mw::swim {
namespace {

trust::Identity ident(uint8_t n) { return trust::testing::identity_from_byte(n); }

GossipItem alive(uint8_t n, uint64_t inc) {
  return GossipItem{make_alive(ident(n), inc, {}, {}), std::nullopt};
}

TEST(BroadcastQueue, RetransmitLimit) {
  EXPECT_EQ(retransmit_limit(4, 0), 0);
  EXPECT_EQ(retransmit_limit(4, 1), 4);
  EXPECT_EQ(retransmit_limit(4, 9), 4);
  EXPECT_EQ(retransmit_limit(4, 10), 8);
  EXPECT_EQ(retransmit_limit(4, 50), 8);
  EXPECT_EQ(retransmit_limit(4, 99), 8);
  EXPECT_EQ(retransmit_limit(4, 100), 12);
}

TEST(BroadcastQueue, NewerStatementInvalidatesOlder) {
  BroadcastQueue q;
  q.push(alive(1, 1));
  q.push(alive(2, 1));
  q.push(GossipItem{make_accusation(ident(3), StatementKind::kSuspect, ident(1).public_key, 1),
                    std::nullopt});
  EXPECT_EQ(q.size(), 2u);
  auto got = q.take(10000, 16, 10);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].statement.kind, StatementKind::kSuspect);  // newest first
  EXPECT_EQ(got[1].statement.subject, ident(2).public_key);
}

TEST(BroadcastQueue, FewestTransmitsFirstThenNewest) {
  BroadcastQueue q;
  q.push(alive(1, 1));
  q.push(alive(2, 1));
  auto first = q.take(10000, 1, 10);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].statement.subject, ident(2).public_key);
  q.push(alive(3, 1));
  auto next = q.take(10000, 2, 10);
  ASSERT_EQ(next.size(), 2u);
  EXPECT_EQ(next[0].statement.subject, ident(3).public_key);  // 0 transmits, newest
  EXPECT_EQ(next[1].statement.subject, ident(1).public_key);  // 0 transmits, older
}

TEST(BroadcastQueue, DropsAfterLimitAndRespectsBudget) {
  BroadcastQueue q;
  q.push(alive(1, 1));
  q.push(alive(2, 1));
  size_t one = gossip_item_len(alive(1, 1));
  EXPECT_EQ(q.take(one, 16, 3).size(), 1u);
  EXPECT_EQ(q.take(one - 1, 16, 3).size(), 0u);
  for (int i = 0; i < 3; ++i) q.take(10000, 16, 3);
  EXPECT_TRUE(q.empty());
}

TEST(BroadcastQueue, BoundedAndRemoveAbout) {
  BroadcastQueue q(3);
  for (uint8_t n = 1; n <= 5; ++n) q.push(alive(n, 1));
  EXPECT_EQ(q.size(), 3u);
  q.push(GossipItem{make_accusation(ident(9), StatementKind::kSuspect, ident(5).public_key, 1),
                    std::nullopt});
  q.remove_about(ident(9).public_key);  // as author
  q.remove_about(ident(4).public_key);  // as subject
  EXPECT_EQ(q.size(), 1u);
}

}  // namespace
}  // namespace mw::swim
