// SPDX-License-Identifier: Apache-2.0
// BLAKE2s over OpenSSL 3's BLAKE2S-256 digest and BLAKE2SMAC, fetched once, with one context
// per thread so that nothing allocates per call.
#include "crypto/blake2s.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <memory>

#include "base/check.h"
#include "base/secret.h"

namespace mw::crypto {
namespace {

constexpr size_t kBlockLen = 64;

const EVP_MD* blake2s_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "BLAKE2S-256", nullptr);
  MW_CHECK(md != nullptr);
  return md;
}

EVP_MAC* blake2s_mac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "BLAKE2SMAC", nullptr);
  MW_CHECK(mac != nullptr);
  return mac;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

EVP_MD_CTX* md_ctx() {
  thread_local std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  MW_CHECK(ctx != nullptr);
  return ctx.get();
}

EVP_MAC_CTX* mac_ctx() {
  thread_local std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(blake2s_mac()));
  MW_CHECK(ctx != nullptr);
  return ctx.get();
}

// Streaming BLAKE2s-256 over this thread's context.
class Hasher {
 public:
  Hasher() : ctx_(md_ctx()) { MW_CHECK(EVP_DigestInit_ex(ctx_, blake2s_md(), nullptr) == 1); }
  void update(base::Bytes b) {
    if (!b.empty()) MW_CHECK(EVP_DigestUpdate(ctx_, b.data(), b.size()) == 1);
  }
  Hash finish() {
    Hash h;
    unsigned int len = 0;
    MW_CHECK(EVP_DigestFinal_ex(ctx_, h.data(), &len) == 1 && len == kHashLen);
    return h;
  }

 private:
  EVP_MD_CTX* ctx_;
};

}  // namespace

Hash blake2s256(std::initializer_list<base::Bytes> parts) {
  Hasher h;
  for (base::Bytes p : parts) h.update(p);
  return h.finish();
}

bool blake2s_keyed(base::Bytes key, std::initializer_list<base::Bytes> parts,
                   base::MutableBytes out) {
  if (key.empty() || key.size() > 32 || out.empty() || out.size() > 32) return false;
  EVP_MAC_CTX* ctx = mac_ctx();
  size_t out_len = out.size();
  OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &out_len),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx, key.data(), key.size(), params) != 1) return false;
  for (base::Bytes p : parts) {
    if (!p.empty() && EVP_MAC_update(ctx, p.data(), p.size()) != 1) return false;
  }
  size_t written = 0;
  return EVP_MAC_final(ctx, out.data(), &written, out.size()) == 1 && written == out.size();
}

Mac wg_mac(base::Bytes key, base::Bytes data) {
  Mac m;
  MW_CHECK(blake2s_keyed(key, {data}, m));
  return m;
}

Hash hmac_blake2s(base::Bytes key, base::Bytes data) {
  base::Secret<kBlockLen> block;
  if (key.size() > kBlockLen) {
    Hash kh = blake2s256(key);
    std::memcpy(block.data(), kh.data(), kh.size());
  } else if (!key.empty()) {
    std::memcpy(block.data(), key.data(), key.size());
  }
  base::Secret<kBlockLen> pad;
  for (size_t i = 0; i < kBlockLen; ++i) pad[i] = block[i] ^ 0x36;
  Hasher inner;
  inner.update(pad.span());
  inner.update(data);
  Hash inner_hash = inner.finish();
  for (size_t i = 0; i < kBlockLen; ++i) pad[i] = block[i] ^ 0x5c;
  Hasher outer;
  outer.update(pad.span());
  outer.update(inner_hash);
  Hash result = outer.finish();
  base::secure_wipe(inner_hash.data(), inner_hash.size());
  return result;
}

void wg_kdf(base::Bytes key, base::Bytes input, base::Secret<32>* t1, base::Secret<32>* t2,
            base::Secret<32>* t3) {
  Hash t0 = hmac_blake2s(key, input);
  uint8_t buf[kHashLen + 1];
  buf[0] = 1;
  Hash prev = hmac_blake2s(t0, base::Bytes(buf, 1));
  if (t1) std::memcpy(t1->data(), prev.data(), kHashLen);
  if (t2 || t3) {
    std::memcpy(buf, prev.data(), kHashLen);
    buf[kHashLen] = 2;
    prev = hmac_blake2s(t0, base::Bytes(buf, kHashLen + 1));
    if (t2) std::memcpy(t2->data(), prev.data(), kHashLen);
  }
  if (t3) {
    std::memcpy(buf, prev.data(), kHashLen);
    buf[kHashLen] = 3;
    prev = hmac_blake2s(t0, base::Bytes(buf, kHashLen + 1));
    std::memcpy(t3->data(), prev.data(), kHashLen);
  }
  base::secure_wipe(t0.data(), t0.size());
  base::secure_wipe(prev.data(), prev.size());
  base::secure_wipe(buf, sizeof(buf));
}

}  // namespace mw::crypto
