// SPDX-License-Identifier: Apache-2.0
// CryptoWorkers: a batch is published as a packed generation and unclaimed count; the caller and
// any worker that wakes claim chunks of kClaim jobs by compare-exchange until none are left, and
// the caller waits only for claimed chunks still being done. Both sides spin briefly, then sleep.
#include "dataplane/crypto_workers.h"

#include <algorithm>

#include "base/check.h"
#include "crypto/aead.h"
#include "os/process.h"
#include "wireguard/transport.h"

namespace mw::dp {
namespace {

// Spins before sleeping: long enough to catch a batch that follows at once (a few
// microseconds: `pause` costs tens of cycles), short enough not to steal a core from the loop's own
// I/O.
constexpr int kSpins = 256;

constexpr uint64_t kUnclaimedMask = 0xffffffffu;

constexpr uint32_t generation_of(uint64_t word) { return uint32_t(word >> 32); }
constexpr uint32_t unclaimed_of(uint64_t word) { return uint32_t(word & kUnclaimedMask); }
constexpr uint64_t pack(uint32_t generation, uint32_t unclaimed) {
  return uint64_t(generation) << 32 | unclaimed;
}

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

CryptoWorkers::CryptoWorkers(size_t threads) {
  size_t n = threads > 1 ? threads - 1 : 0;
  workers_.reserve(n);
  for (size_t i = 0; i < n; ++i) workers_.emplace_back([this] { worker_main(); });
}

CryptoWorkers::~CryptoWorkers() {
  {
    std::lock_guard<std::mutex> l(mu_);
    stopping_.store(true, std::memory_order_release);
  }
  start_.notify_all();
  for (auto& t : workers_) t.join();
}

void CryptoWorkers::process(std::span<CryptoJob> jobs) {
  for (CryptoJob& j : jobs) {
    base::MutableBytes message(j.message, j.message_len);
    j.ok = j.op == CryptoJob::Op::kSeal ? wg::seal_framed(j.key.span(), j.counter, message)
                                        : wg::open_transport(j.key, j.counter, message).has_value();
    j.key.wipe();
  }
}

size_t CryptoWorkers::claim_and_process(uint64_t word) {
  const uint32_t generation = generation_of(word);
  size_t done = 0;
  while (generation_of(word) == generation && unclaimed_of(word) != 0) {
    uint32_t take = std::min<uint32_t>(unclaimed_of(word), kClaim);
    // Acquire on success pairs with the caller's release store of this generation (later
    // claims read values in its release sequence), so batch_ is the one that was published.
    if (!cursor_.compare_exchange_weak(word, word - take, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      continue;  // `word` now holds the current value
    }
    // Our chunk is unfinished, so run() is still waiting and batch_ cannot change under us.
    std::span<CryptoJob> batch = batch_;
    process(batch.subspan(batch.size() - unclaimed_of(word), take));
    done += take;
    word -= take;
  }
  return done;
}

void CryptoWorkers::run(std::span<CryptoJob> jobs) {
  // Owns: `jobs` and the messages they point at stay the caller's; a worker touches them only
  // between a successful claim below and its subtraction from pending_.
  if (workers_.empty() || jobs.size() < kInlineBelow) {
    ++inline_batches_;
    process(jobs);
    crypto::forget_thread_keys();  // the thread's context held the last job's key
    return;
  }
  MW_CHECK(jobs.size() <= kUnclaimedMask);
  ++parallel_batches_;
  // Every job of the last batch was claimed and finished, so no thread reads these now.
  batch_ = jobs;
  pending_.store(jobs.size(), std::memory_order_relaxed);
  uint64_t word = pack(++generation_, uint32_t(jobs.size()));
  {
    std::lock_guard<std::mutex> l(mu_);
    cursor_.store(word, std::memory_order_release);
  }
  start_.notify_all();

  size_t own = claim_and_process(word);
  if (own != 0) crypto::forget_thread_keys();
  helped_jobs_.fetch_add(jobs.size() - own, std::memory_order_relaxed);
  if (own != 0 && pending_.fetch_sub(own, std::memory_order_acq_rel) == own) return;
  // Every job is claimed; wait for the workers' chunks still under way.
  for (int i = 0; i < kSpins && pending_.load(std::memory_order_acquire) != 0; ++i) cpu_relax();
  if (pending_.load(std::memory_order_acquire) != 0) {
    std::unique_lock<std::mutex> l(mu_);
    done_.wait(l, [this] { return pending_.load(std::memory_order_acquire) == 0; });
  }
}

void CryptoWorkers::worker_main() {
  os::set_thread_name("mw-crypto");
  uint32_t seen = 0;
  for (;;) {
    uint64_t word = cursor_.load(std::memory_order_relaxed);
    for (int i = 0;
         i < kSpins && generation_of(word) == seen && !stopping_.load(std::memory_order_relaxed);
         ++i) {
      cpu_relax();
      word = cursor_.load(std::memory_order_relaxed);
    }
    if (generation_of(word) == seen) {
      std::unique_lock<std::mutex> l(mu_);
      start_.wait(l, [&] {
        word = cursor_.load(std::memory_order_relaxed);
        return generation_of(word) != seen || stopping_.load(std::memory_order_relaxed);
      });
    }
    // Stopping never overlaps run(), so no batch is left unclaimed.
    if (stopping_.load(std::memory_order_relaxed)) return;
    seen = generation_of(word);
    size_t done = claim_and_process(word);  // 0 if the batch was all claimed before we woke
    if (done == 0) continue;
    crypto::forget_thread_keys();  // before run() may return: no key outlives the batch
    if (pending_.fetch_sub(done, std::memory_order_release) == done) {
      std::lock_guard<std::mutex> l(mu_);
      done_.notify_one();
    }
  }
}

}  // namespace mw::dp
