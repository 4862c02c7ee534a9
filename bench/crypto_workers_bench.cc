// SPDX-License-Identifier: Apache-2.0
// What handing a batch to the crypto workers costs: a batch of 8 keepalive-sized messages (the
// smallest batch the workers take) sealed by the loop alone and by 2 threads. The difference is
// the hand-off's fixed cost, which kInlineBelow is chosen against.
#include <benchmark/benchmark.h>

#include <vector>

#include "dataplane/crypto_workers.h"
#include "wireguard/messages.h"

namespace mw::dp {
namespace {

void BM_CryptoWorkersHandOff(benchmark::State& state) {
  const size_t threads = size_t(state.range(0));
  constexpr size_t kJobs = CryptoWorkers::kInlineBelow;
  std::vector<std::vector<uint8_t>> messages(kJobs, std::vector<uint8_t>(wg::kTransportMinLen));
  std::vector<CryptoJob> jobs(kJobs);
  CryptoWorkers pool(threads);
  for (auto _ : state) {
    for (size_t i = 0; i < kJobs; ++i) {  // sealing is in place: frame again each round
      jobs[i].op = CryptoJob::Op::kSeal;
      jobs[i].message = messages[i].data();
      jobs[i].message_len = messages[i].size();
      jobs[i].counter = uint64_t(state.iterations());
      for (size_t k = 0; k < jobs[i].key.size(); ++k) jobs[i].key[k] = uint8_t(i + k);
    }
    pool.run(jobs);
    benchmark::DoNotOptimize(jobs[0].ok);
  }
  state.SetItemsProcessed(int64_t(state.iterations() * kJobs));
}
BENCHMARK(BM_CryptoWorkersHandOff)->Arg(1)->Arg(2)->UseRealTime();

}  // namespace
}  // namespace mw::dp

BENCHMARK_MAIN();
