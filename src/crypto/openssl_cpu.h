// SPDX-License-Identifier: Apache-2.0
// Which of OpenSSL's CPU-specific code paths the data path should use. libcrypto picks its
// ChaCha20 and Poly1305 code once, as it loads, from the CPU and $OPENSSL_ia32cap. On CPUs with
// AVX-512, its 512-bit paths made our tunnel slower (BENCHMARKS.md: 4.13 against 4.82 Gbit/s
// and 2.94 against 2.44 CPU-s/GB on our Xeon): around the 512-bit code, everything else ran
// slower (OpenSSL's own parameter lookups took 4x as long), more than the wider vectors save on
// 1420-byte packets. So the daemons clear AVX512F for libcrypto: ChaCha20 then runs its 256-bit
// AVX512VL code and Poly1305 its AVX2 code (clearing AVX512VL too was slower again: a 1420-byte
// seal took 926 ns instead of 793). These functions only decide; the program applies the
// decision before libcrypto loads (node/crypto_startup.h).
#pragma once

namespace mw::crypto {

// OpenSSL's variable, and the entry that clears AVX512F (bit 16 of CPUID leaf 7 EBX, the
// second word of the variable) for the whole library.
inline constexpr char kOpensslCapsVariable[] = "OPENSSL_ia32cap";
inline constexpr char kOpensslWithoutAvx512[] = "OPENSSL_ia32cap=:~0x10000";
// Set to 1 to keep OpenSSL's AVX-512 code.
inline constexpr char kKeepAvx512Variable[] = "MESHWARD_OPENSSL_AVX512";

// Whether this CPU (and the kernel, which must save the state) offers AVX-512F.
bool cpu_has_avx512();

// The entry to add to the environment before libcrypto loads, or nullptr to change nothing:
// when `envp` (a null-terminated environment) already sets OPENSSL_ia32cap (the user's choice
// wins), when it sets MESHWARD_OPENSSL_AVX512=1, or when the CPU has no AVX-512.
const char* openssl_environment_entry(const char* const* envp, bool cpu_avx512);

// For the start-up log: "512-bit AVX-512 off", "AVX-512 on", "set by OPENSSL_ia32cap" or
// "no AVX-512", from the variable's value (nullptr when unset) and the CPU.
const char* openssl_cpu_path(const char* caps_value, bool cpu_avx512);

}  // namespace mw::crypto
