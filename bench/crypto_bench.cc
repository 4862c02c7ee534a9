// SPDX-License-Identifier: Apache-2.0
// Micro benchmarks of the crypto primitives on WireGuard's hot and handshake paths.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "crypto/aead.h"
#include "crypto/blake2s.h"
#include "crypto/x25519.h"
#include "crypto/xaead.h"

namespace mw::crypto {
namespace {

std::vector<uint8_t> bench_key() {
  std::vector<uint8_t> k(kKeyLen);
  for (size_t i = 0; i < k.size(); ++i) k[i] = uint8_t(i * 13 + 1);
  return k;
}

// Bytes per second, and the same as bits per second ("bits=10.3G/s" reads as 10.3 Gbps).
void set_throughput(benchmark::State& state, size_t len) {
  const double bytes = double(state.iterations()) * double(len);
  state.SetBytesProcessed(int64_t(bytes));
  state.counters["bits"] = benchmark::Counter(bytes * 8, benchmark::Counter::kIsRate);
}

// Seals a transport-data-sized payload in place, as the outbound path does; the counter
// advances each iteration like WireGuard's nonce.
void BM_AeadSealInPlace(benchmark::State& state) {
  const size_t len = size_t(state.range(0));
  std::vector<uint8_t> key = bench_key();
  std::vector<uint8_t> buf(len + kAeadTagLen, 0x42);
  uint64_t counter = 0;
  for (auto _ : state) {
    bool ok = aead_seal(key, wg_nonce(counter++), base::Bytes(buf.data(), len), {}, buf);
    benchmark::DoNotOptimize(ok);
    benchmark::ClobberMemory();
  }
  set_throughput(state, len);
}
BENCHMARK(BM_AeadSealInPlace)->Arg(64)->Arg(1420)->Arg(16384);

// The same through a context keyed once, as the transport path seals with a keypair's AeadKey.
void BM_AeadKeySealInPlace(benchmark::State& state) {
  const size_t len = size_t(state.range(0));
  std::vector<uint8_t> key = bench_key();
  AeadKey aead(std::span<const uint8_t, kKeyLen>(key.data(), kKeyLen));
  std::vector<uint8_t> buf(len + kAeadTagLen, 0x42);
  uint64_t counter = 0;
  for (auto _ : state) {
    bool ok = aead.seal(wg_nonce(counter++), base::Bytes(buf.data(), len), {}, buf);
    benchmark::DoNotOptimize(ok);
    benchmark::ClobberMemory();
  }
  set_throughput(state, len);
}
BENCHMARK(BM_AeadKeySealInPlace)->Arg(64)->Arg(1420);

// Opens in place, as the inbound path does. Opening in place turns the message into plaintext,
// so the loop works through a batch of pre-sealed copies and refills the batch with the timer
// paused; the pause is amortized over the batch (about 1 MiB of messages, at most 1024).
template <typename Open>
void run_open_in_place(benchmark::State& state, Open open) {
  const size_t len = size_t(state.range(0));
  const size_t sealed_len = len + kAeadTagLen;
  const size_t batch_count = std::clamp<size_t>((size_t(1) << 20) / sealed_len, 32, 1024);
  std::vector<uint8_t> key = bench_key();
  std::vector<uint8_t> plain(len, 0x42);
  std::vector<uint8_t> sealed(sealed_len);
  const AeadNonce nonce = wg_nonce(7);
  if (!aead_seal(key, nonce, plain, {}, sealed)) {
    state.SkipWithError("seal failed");
    return;
  }
  std::vector<uint8_t> batch(batch_count * sealed_len);
  auto refill = [&] {
    for (size_t i = 0; i < batch_count; ++i)
      std::copy(sealed.begin(), sealed.end(), batch.begin() + long(i * sealed_len));
  };
  refill();
  size_t next = 0;
  for (auto _ : state) {
    if (next == batch_count) {
      state.PauseTiming();
      refill();
      next = 0;
      state.ResumeTiming();
    }
    uint8_t* msg = batch.data() + next++ * sealed_len;
    if (!open(key, nonce, base::Bytes(msg, sealed_len), base::MutableBytes(msg, len))) {
      state.SkipWithError("open failed");
      break;
    }
    benchmark::ClobberMemory();
  }
  set_throughput(state, len);
}

void BM_AeadOpenInPlace(benchmark::State& state) {
  run_open_in_place(state,
                    [](base::Bytes key, const AeadNonce& nonce, base::Bytes sealed,
                       base::MutableBytes out) { return aead_open(key, nonce, sealed, {}, out); });
}
BENCHMARK(BM_AeadOpenInPlace)->Arg(64)->Arg(1420)->Arg(16384);

// The same through a context keyed once, as the transport path opens with a keypair's AeadKey.
void BM_AeadKeyOpenInPlace(benchmark::State& state) {
  std::vector<uint8_t> key = bench_key();
  AeadKey aead(std::span<const uint8_t, kKeyLen>(key.data(), kKeyLen));
  run_open_in_place(state,
                    [&aead](base::Bytes, const AeadNonce& nonce, base::Bytes sealed,
                            base::MutableBytes out) { return aead.open(nonce, sealed, {}, out); });
}
BENCHMARK(BM_AeadKeyOpenInPlace)->Arg(64)->Arg(1420);

// One Diffie-Hellman: the handshake does four of these per side.
void BM_X25519(benchmark::State& state) {
  PrivateKey priv = x25519_generate();
  PublicKey pub = x25519_public(x25519_generate());
  SymmetricKey shared;
  for (auto _ : state) {
    bool ok = x25519(shared, priv, pub);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(shared.data());
  }
}
BENCHMARK(BM_X25519);

// HASH over the 148-byte handshake initiation.
void BM_Blake2s256_148(benchmark::State& state) {
  std::vector<uint8_t> msg(148, 0x5a);
  for (auto _ : state) {
    Hash h = blake2s256(msg);
    benchmark::DoNotOptimize(h);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * 148);
}
BENCHMARK(BM_Blake2s256_148);

// mac1 over the first 116 bytes of a handshake initiation.
void BM_WgMac(benchmark::State& state) {
  std::vector<uint8_t> key = bench_key();
  std::vector<uint8_t> msg(116, 0x5a);
  for (auto _ : state) {
    Mac m = wg_mac(key, msg);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_WgMac);

// Sealing the 16-byte cookie of a cookie reply, with mac1 as AAD.
void BM_XAeadSeal16(benchmark::State& state) {
  std::vector<uint8_t> key = bench_key();
  XAeadNonce nonce{};
  nonce[0] = 1;
  std::vector<uint8_t> cookie(16, 0x33);
  std::vector<uint8_t> mac1(16, 0x44);
  std::vector<uint8_t> out(16 + kAeadTagLen);
  for (auto _ : state) {
    bool ok = xaead_seal(key, nonce, cookie, mac1, out);
    benchmark::DoNotOptimize(ok);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_XAeadSeal16);

}  // namespace
}  // namespace mw::crypto

BENCHMARK_MAIN();
