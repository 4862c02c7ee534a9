// SPDX-License-Identifier: Apache-2.0
// CryptoWorkers: a fixed pool of threads that seal or open a batch of transport messages in
// place, the calling thread claiming small chunks of the batch alongside whichever workers wake;
// order is untouched because every job works on its own buffer where it lies.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "crypto/keys.h"

namespace mw::dp {

// One transport message to seal or open in place, which the job's owner keeps alive and
// untouched until run() returns. kSeal: `message` is framed (wg::frame_transport: 16-byte
// header, padded plaintext, 16 bytes of room for the tag) and is sealed with `counter`
// (wg::seal_framed). kOpen: `message` is a received transport datagram, opened with `counter`
// (wg::open_transport; the plaintext is then at message + 16). `key` is a copy of the keypair's
// key for that direction, wiped once the job is done. `ok` is the result.
struct CryptoJob {
  enum class Op : uint8_t { kSeal, kOpen };
  Op op = Op::kSeal;
  uint8_t* message = nullptr;
  size_t message_len = 0;
  uint64_t counter = 0;
  crypto::SymmetricKey key;
  bool ok = false;
};

class CryptoWorkers {
 public:
  // Batches smaller than this are done by the caller alone: a hand-off costs more.
  static constexpr size_t kInlineBelow = 8;
  // Jobs taken per claim: small, so a worker that is descheduled holds back little work.
  static constexpr size_t kClaim = 4;

  // `threads` counts the calling thread: threads - 1 workers are started now and run until
  // destruction. At least 1 (then every batch runs inline).
  explicit CryptoWorkers(size_t threads);
  // Stops and joins the workers. Must not overlap run().
  ~CryptoWorkers();
  CryptoWorkers(const CryptoWorkers&) = delete;
  CryptoWorkers& operator=(const CryptoWorkers&) = delete;

  size_t threads() const { return workers_.size() + 1; }

  // Does every job in place (seal or open, with the job's key) and returns when all are done.
  // The caller publishes the batch, wakes the workers and claims chunks of kClaim jobs itself
  // until none are left; it then waits only for chunks a worker has claimed and not finished,
  // never for work nobody started. When it returns no thread touches `jobs` any more and no
  // thread's cipher contexts hold a key from them. Blocks; allocates nothing. One caller at a
  // time (the owning loop thread): not re-entrant. At most 2^32 - 1 jobs per batch.
  void run(std::span<CryptoJob> jobs);

  // Batches done by the caller alone / handed to the workers (for tests and counters; read
  // by the caller's thread).
  uint64_t inline_batches() const { return inline_batches_; }
  uint64_t parallel_batches() const { return parallel_batches_; }
  // Jobs done by workers rather than the caller, over all batches (exact once run() returns;
  // any thread may read it).
  uint64_t helped_jobs() const { return helped_jobs_.load(std::memory_order_relaxed); }

 private:
  void worker_main();
  // Claims chunks of the batch published as `word` while its generation is current and jobs
  // are unclaimed; does them and returns how many it did.
  size_t claim_and_process(uint64_t word);
  static void process(std::span<CryptoJob> jobs);

  // cursor_ packs the batch generation (high 32 bits) with the count of jobs not yet claimed
  // (low 32 bits; the next chunk starts at batch_.size() minus it). The caller writes batch_
  // and pending_, then stores a new word (release); a claim is a compare-exchange (acquire)
  // that keeps the generation it saw, so a late thread cannot claim from a batch that was
  // replaced, and reads batch_ only once it holds a chunk: run() cannot return, nor batch_
  // change, until pending_ (jobs not yet finished) drops to zero, each thread subtracting its
  // finished jobs (release) and the caller reading it (acquire). mu_ guards only the sleeps:
  // the caller publishes and workers recheck cursor_ under it before waiting on start_; the
  // thread that finishes the batch notifies done_ under it.
  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable done_;
  std::atomic<uint64_t> cursor_{0};
  std::atomic<size_t> pending_{0};
  std::atomic<bool> stopping_{false};
  std::span<CryptoJob> batch_;
  uint32_t generation_ = 0;  // the caller's copy of the current generation
  std::vector<std::thread> workers_;
  uint64_t inline_batches_ = 0;
  uint64_t parallel_batches_ = 0;
  std::atomic<uint64_t> helped_jobs_{0};
};

}  // namespace mw::dp
