// SPDX-License-Identifier: Apache-2.0
// Tests for CryptoWorkers: random batches sealed or opened by the pool against doing them one by
// one (the naive oracle), the inline threshold, key wiping, the count of jobs workers helped
// with, a stress of tiny and large batches for late workers, shutdown, and the cost of a hand-off.
#include "dataplane/crypto_workers.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <vector>

#include "wireguard/transport.h"

namespace mw::dp {
namespace {

struct Batch {
  std::vector<std::vector<uint8_t>> messages;
  std::vector<CryptoJob> jobs;
  std::vector<std::vector<uint8_t>> expected;
};

// `count` framed messages with random plaintexts of 0..max_plain_len bytes and random keys;
// `expected` holds each sealed one by one with wg::seal_transport.
Batch make_batch(std::mt19937_64& rng, size_t count, size_t max_plain_len = 1500) {
  Batch b;
  b.messages.resize(count);
  b.jobs.resize(count);
  b.expected.resize(count);
  for (size_t i = 0; i < count; ++i) {
    std::vector<uint8_t> plain(rng() % (max_plain_len + 1));
    for (auto& c : plain) c = uint8_t(rng());
    crypto::SymmetricKey key;
    for (size_t k = 0; k < key.size(); ++k) key[k] = uint8_t(rng());
    uint64_t counter = rng();
    uint32_t receiver = uint32_t(rng());
    size_t padded = wg::padded_length(plain.size(), 1420);
    size_t len = wg::transport_message_length(padded);
    b.messages[i].resize(len);
    EXPECT_TRUE(wg::frame_transport(receiver, counter, plain, padded, b.messages[i]));
    b.expected[i].resize(len);
    EXPECT_TRUE(wg::seal_transport(key, receiver, counter, plain, padded, b.expected[i]));
    b.jobs[i].message = b.messages[i].data();
    b.jobs[i].message_len = len;
    b.jobs[i].counter = counter;
    b.jobs[i].key = key;
  }
  return b;
}

void expect_sealed(const Batch& b) {
  for (size_t i = 0; i < b.jobs.size(); ++i) {
    EXPECT_TRUE(b.jobs[i].ok) << i;
    EXPECT_TRUE(b.jobs[i].key.is_zero()) << i;
    EXPECT_EQ(b.messages[i], b.expected[i]) << "job " << i << " of " << b.jobs.size();
  }
}

TEST(CryptoWorkers, RandomBatchesMatchSealingOneByOne) {
  std::mt19937_64 rng(7);
  for (size_t threads : {1, 2, 3, 4, 8}) {
    CryptoWorkers pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (int round = 0; round < 40; ++round) {
      Batch b = make_batch(rng, 1 + rng() % 64);
      pool.run(b.jobs);
      expect_sealed(b);
    }
  }
}

// Batches mixing seals and opens, some opens of corrupted messages: each job's result and bytes
// are what doing it alone gives (an open that fails zeroes its plaintext region).
TEST(CryptoWorkers, MixedSealAndOpenBatchesMatchOneByOne) {
  std::mt19937_64 rng(12);
  for (size_t threads : {1, 2, 4}) {
    CryptoWorkers pool(threads);
    for (int round = 0; round < 30; ++round) {
      Batch b = make_batch(rng, 1 + rng() % 64);
      std::vector<bool> want_ok(b.jobs.size(), true);
      for (size_t i = 0; i < b.jobs.size(); ++i) {
        if (rng() % 2 == 0) continue;  // stays a seal
        // Open the expected sealed message instead; one in five corrupted.
        b.messages[i] = b.expected[i];
        CryptoJob& j = b.jobs[i];
        j.op = CryptoJob::Op::kOpen;
        crypto::SymmetricKey key = j.key;
        if (rng() % 5 == 0) {
          b.messages[i][wg::kTransportHeaderLen + rng() % (b.messages[i].size() - 16 - 16)] ^= 4;
          want_ok[i] = false;
        }
        j.message = b.messages[i].data();
        std::vector<uint8_t> alone = b.messages[i];
        EXPECT_EQ(wg::open_transport(key, j.counter, alone).has_value(), want_ok[i]);
        b.expected[i] = alone;
      }
      pool.run(b.jobs);
      for (size_t i = 0; i < b.jobs.size(); ++i) {
        EXPECT_EQ(b.jobs[i].ok, bool(want_ok[i])) << i;
        EXPECT_TRUE(b.jobs[i].key.is_zero()) << i;
        EXPECT_EQ(b.messages[i], b.expected[i]) << "job " << i << " of " << b.jobs.size();
      }
    }
  }
}

TEST(CryptoWorkers, SmallBatchRunsInline) {
  std::mt19937_64 rng(8);
  CryptoWorkers pool(4);
  Batch small = make_batch(rng, CryptoWorkers::kInlineBelow - 1);
  pool.run(small.jobs);
  expect_sealed(small);
  EXPECT_EQ(pool.inline_batches(), 1u);
  EXPECT_EQ(pool.parallel_batches(), 0u);
  Batch empty;
  pool.run(empty.jobs);
  EXPECT_EQ(pool.inline_batches(), 2u);
  Batch big = make_batch(rng, CryptoWorkers::kInlineBelow);
  pool.run(big.jobs);
  expect_sealed(big);
  EXPECT_EQ(pool.parallel_batches(), 1u);
}

TEST(CryptoWorkers, OneThreadAlwaysInline) {
  std::mt19937_64 rng(9);
  CryptoWorkers pool(1);
  Batch b = make_batch(rng, 64);
  pool.run(b.jobs);
  expect_sealed(b);
  EXPECT_EQ(pool.parallel_batches(), 0u);
}

// A job sealed twice, or not at all, differs from the one-by-one result (its key is wiped after
// the first seal), so matching it means each job was done exactly once. The jobs workers did plus
// the caller's share (the rest) make up each batch; inline batches get no help.
TEST(CryptoWorkers, EveryJobDoneOnceAndHelpedJobsAddUp) {
  std::mt19937_64 rng(13);
  for (size_t threads : {1, 2, 4}) {
    CryptoWorkers pool(threads);
    uint64_t total = 0;
    for (int round = 0; round < 200; ++round) {
      Batch b = make_batch(rng, 1 + rng() % 64, 256);
      uint64_t helped_before = pool.helped_jobs();
      uint64_t inline_before = pool.inline_batches();
      pool.run(b.jobs);
      expect_sealed(b);
      uint64_t helped = pool.helped_jobs() - helped_before;
      if (pool.inline_batches() != inline_before) {
        EXPECT_EQ(helped, 0u);
      }
      total += b.jobs.size();
    }
    if (threads == 1) {
      EXPECT_EQ(pool.helped_jobs(), 0u);
    }
    std::printf("threads=%zu: workers did %llu of %llu jobs\n", threads,
                (unsigned long long)pool.helped_jobs(), (unsigned long long)total);
  }
}

TEST(CryptoWorkers, FourThreadsLargeBatchesMatchSealingOneByOne) {
  std::mt19937_64 rng(14);
  CryptoWorkers pool(4);
  for (int round = 0; round < 300; ++round) {
    Batch b = make_batch(rng, 64, 512);
    pool.run(b.jobs);
    expect_sealed(b);
  }
  EXPECT_EQ(pool.parallel_batches(), 300u);
  EXPECT_EQ(pool.inline_batches(), 0u);
}

// Tiny batches (run inline) between large ones, each batch freed once run() returns: a worker
// that woke late and touched a finished or unseen batch would corrupt results or, under the
// sanitizers, be reported.
TEST(CryptoWorkers, StressTinyAndLargeBatchesAlternate) {
  std::mt19937_64 rng(15);
  CryptoWorkers pool(3);
  constexpr int kRounds = 2000;
  for (int round = 0; round < kRounds; ++round) {
    size_t count = round % 2 == 0 ? 1 + rng() % CryptoWorkers::kInlineBelow
                                  : CryptoWorkers::kInlineBelow + rng() % 57;
    Batch b = make_batch(rng, count, 128);
    pool.run(b.jobs);
    expect_sealed(b);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_EQ(pool.inline_batches() + pool.parallel_batches(), uint64_t(kRounds));
  EXPECT_GE(pool.parallel_batches(), uint64_t(kRounds / 2));
}

TEST(CryptoWorkers, ShortMessageFailsAlone) {
  std::mt19937_64 rng(10);
  CryptoWorkers pool(2);
  Batch b = make_batch(rng, 16);
  b.jobs[5].message_len = wg::kTransportMinLen - 1;
  b.expected[5] = b.messages[5];  // left as it was
  pool.run(b.jobs);
  for (size_t i = 0; i < b.jobs.size(); ++i) {
    EXPECT_EQ(b.jobs[i].ok, i != 5) << i;
    EXPECT_EQ(b.messages[i], b.expected[i]) << i;
  }
}

TEST(CryptoWorkers, ShutdownJoinsIdleAndBusyPools) {
  for (size_t threads : {2, 4, 16}) {
    CryptoWorkers idle(threads);  // destroyed before any batch
  }
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20; ++i) {
    CryptoWorkers pool(3);
    Batch b = make_batch(rng, 32);
    pool.run(b.jobs);
    expect_sealed(b);
  }  // each destructor joins right after a batch, while workers may still spin
}
}  // namespace
}  // namespace mw::dp
