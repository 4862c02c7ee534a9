// SPDX-License-Identifier: Apache-2.0
// What the daemons do before any library initializes: if OpenSSL should run without its
// AVX-512 code (crypto/openssl_cpu.h), the program re-executes itself once with
// OPENSSL_ia32cap set, since libcrypto reads it only while it loads. A program opts in by
// naming the hook in its .preinit_array, which runs before shared libraries' constructors:
//   MW_PREPARE_CRYPTO_BEFORE_LOAD();
#pragma once

namespace mw::node {

// The .preinit_array hook: may not return (it re-executes the program). Safe before C++
// constructors; allocates only with calloc.
void prepare_crypto_before_load(int argc, char** argv, char** envp);

// For the start-up log: which OpenSSL path this process runs ("512-bit AVX-512 off", ...).
const char* crypto_cpu_path();

}  // namespace mw::node

#define MW_PREPARE_CRYPTO_BEFORE_LOAD()                                                 \
  [[gnu::section(".preinit_array"), gnu::used]] static void (*const mw_preinit_crypto)( \
      int, char**, char**) = &mw::node::prepare_crypto_before_load
