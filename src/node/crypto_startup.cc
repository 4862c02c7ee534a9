// SPDX-License-Identifier: Apache-2.0
// The early re-execution that sets OPENSSL_ia32cap, and the start-up note.
#include "node/crypto_startup.h"

#include <cstdlib>

#include "crypto/openssl_cpu.h"
#include "os/process.h"

namespace mw::node {

void prepare_crypto_before_load(int /*argc*/, char** argv, char** envp) {
  if (const char* entry = crypto::openssl_environment_entry(envp, crypto::cpu_has_avx512()))
    os::reexec_self_with(argv, envp, entry);
}

const char* crypto_cpu_path() {
  return crypto::openssl_cpu_path(std::getenv(crypto::kOpensslCapsVariable),
                                  crypto::cpu_has_avx512());
}

}  // namespace mw::node
