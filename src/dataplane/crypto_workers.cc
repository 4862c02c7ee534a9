// SPDX-License-Identifier: Apache-2.0
// CryptoWorkers: a batch is published by bumping a generation counter; each worker does its
// contiguous chunk and counts itself done; the caller does the last chunk and waits for the
// count to reach zero. Both sides spin briefly before sleeping on a condition variable.
#include "dataplane/crypto_workers.h"

#include "crypto/aead.h"
#include "wireguard/transport.h"

namespace mw::dp {
namespace {

// Spins before sleeping: long enough to catch a batch that follows at once (a few
// microseconds: `pause` costs tens of cycles), short enough not to steal a core from the loop's own
// I/O.
constexpr int kSpins = 256;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

CryptoWorkers::CryptoWorkers(size_t threads) {
  size_t n = threads > 1 ? threads - 1 : 0;
  workers_.reserve(n);
  for (size_t i = 0; i < n; ++i) workers_.emplace_back([this, i] { worker_main(i); });
}

CryptoWorkers::~CryptoWorkers() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_.store(true, std::memory_order_release);
  }
  start_.notify_all();
  for (auto& t : workers_) t.join();
}

std::span<CryptoJob> CryptoWorkers::chunk(size_t index) const {
  size_t parts = threads();
  size_t begin = batch_.size() * index / parts;
  size_t end = batch_.size() * (index + 1) / parts;
  return batch_.subspan(begin, end - begin);
}

void CryptoWorkers::process(std::span<CryptoJob> jobs) {
  for (CryptoJob& j : jobs) {
    base::MutableBytes message(j.message, j.message_len);
    j.ok = j.op == CryptoJob::Op::kSeal ? wg::seal_framed(j.key.span(), j.counter, message)
                                        : wg::open_transport(j.key, j.counter, message).has_value();
    j.key.wipe();
  }
  crypto::forget_thread_keys();  // the thread's context held the last job's key
}

void CryptoWorkers::run(std::span<CryptoJob> jobs) {
  // Owns: `jobs` and the messages they point at stay the caller's; workers touch them only
  // between the generation bump below and their decrement of remaining_.
  if (workers_.empty() || jobs.size() < kInlineBelow) {
    ++inline_batches_;
    process(jobs);
    return;
  }
  ++parallel_batches_;
  batch_ = jobs;
  remaining_.store(workers_.size(), std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> l(mu_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  start_.notify_all();
  process(chunk(workers_.size()));
  for (int i = 0; i < kSpins && remaining_.load(std::memory_order_acquire) != 0; ++i) cpu_relax();
  if (remaining_.load(std::memory_order_acquire) != 0) {
    std::unique_lock<std::mutex> l(mu_);
    done_.wait(l, [this] { return remaining_.load(std::memory_order_acquire) == 0; });
  }
  batch_ = {};
}

void CryptoWorkers::worker_main(size_t index) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t g = generation_.load(std::memory_order_acquire);
    for (int i = 0; i < kSpins && g == seen && !stopping_.load(std::memory_order_relaxed); ++i) {
      cpu_relax();
      g = generation_.load(std::memory_order_acquire);
    }
    if (g == seen) {
      std::unique_lock<std::mutex> l(mu_);
      start_.wait(l, [&] {
        return generation_.load(std::memory_order_acquire) != seen ||
               stopping_.load(std::memory_order_acquire);
      });
      g = generation_.load(std::memory_order_acquire);
    }
    if (g == seen) return;  // woken to stop, no batch pending
    seen = g;
    process(chunk(index));
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> l(mu_);
      done_.notify_one();
    }
  }
}

}  // namespace mw::dp
