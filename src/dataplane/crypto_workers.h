// SPDX-License-Identifier: Apache-2.0
// CryptoWorkers: a fixed pool of threads that seal or open a batch of transport messages in
// place, the calling thread taking a share; order is untouched because every job works on its
// own buffer where it lies, and the caller goes on in batch order once all are done.
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

  // `threads` counts the calling thread: threads - 1 workers are started now and run until
  // destruction. At least 1 (then every batch runs inline).
  explicit CryptoWorkers(size_t threads);
  // Stops and joins the workers. Must not overlap run().
  ~CryptoWorkers();
  CryptoWorkers(const CryptoWorkers&) = delete;
  CryptoWorkers& operator=(const CryptoWorkers&) = delete;

  size_t threads() const { return workers_.size() + 1; }

  // Does every job in place (seal or open, with the job's key) and returns when all are
  // done. Splits the batch into contiguous chunks, one per thread, the caller doing the last.
  // Blocks; allocates nothing. One caller at a time (the owning loop thread): not re-entrant.
  void run(std::span<CryptoJob> jobs);

  // Batches done by the caller alone / handed to the workers (for tests and counters; read
  // by the caller's thread).
  uint64_t inline_batches() const { return inline_batches_; }
  uint64_t parallel_batches() const { return parallel_batches_; }

 private:
  void worker_main(size_t index);
  std::span<CryptoJob> chunk(size_t index) const;
  static void process(std::span<CryptoJob> jobs);

  // Guards the sleeps on start_/done_; generation_ and remaining_ are also read without it
  // while spinning. batch_ is written by the caller before generation_ is bumped (release) and
  // read by workers after they see the new generation (acquire).
  std::mutex mu_;
  std::condition_variable start_;
  std::condition_variable done_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<size_t> remaining_{0};  // workers still working on the current batch
  std::atomic<bool> stopping_{false};
  std::span<CryptoJob> batch_;
  std::vector<std::thread> workers_;
  uint64_t inline_batches_ = 0;
  uint64_t parallel_batches_ = 0;
};

}  // namespace mw::dp
