// SPDX-License-Identifier: Apache-2.0
// The AVX-512 decision for OpenSSL: a pure look at the environment and the CPU.
#include "crypto/openssl_cpu.h"

#include <cstring>
#include <string_view>

namespace mw::crypto {
namespace {

// The value of `name` in envp, or nullptr.
const char* find(const char* const* envp, std::string_view name) {
  for (const char* const* e = envp; e && *e; ++e) {
    std::string_view entry(*e);
    if (entry.size() > name.size() && entry.substr(0, name.size()) == name &&
        entry[name.size()] == '=')
      return *e + name.size() + 1;
  }
  return nullptr;
}

}  // namespace

bool cpu_has_avx512() {
  __builtin_cpu_init();  // also safe before constructors have run
  return __builtin_cpu_supports("avx512f");
}

const char* openssl_environment_entry(const char* const* envp, bool cpu_avx512) {
  if (!cpu_avx512 || find(envp, kOpensslCapsVariable) != nullptr) return nullptr;
  const char* keep = find(envp, kKeepAvx512Variable);
  if (keep != nullptr && std::strcmp(keep, "1") == 0) return nullptr;
  return kOpensslWithoutAvx512;
}

const char* openssl_cpu_path(const char* caps_value, bool cpu_avx512) {
  if (!cpu_avx512) return "no AVX-512";
  if (caps_value == nullptr) return "AVX-512 on";
  std::string_view ours(kOpensslWithoutAvx512);
  ours.remove_prefix(std::strlen(kOpensslCapsVariable) + 1);
  return ours == caps_value ? "512-bit AVX-512 off" : "set by OPENSSL_ia32cap";
}

}  // namespace mw::crypto
