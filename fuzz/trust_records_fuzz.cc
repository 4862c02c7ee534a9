// SPDX-License-Identifier: Apache-2.0
// Fuzzes the revocation and vouch decoders (binary and text): an accepted record re-encodes to
// exactly the input, and signature checks never crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "trust/records.h"

namespace {

using mw::fuzz::check;
using mw::fuzz::trim;

bool same(const std::vector<uint8_t>& a, const uint8_t* data, size_t size) {
  return a.size() == size && std::equal(a.begin(), a.end(), data);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace mw::trust;
  const mw::base::Bytes bytes(data, size);
  if (auto r = decode_revocation(bytes); r.ok()) {
    check(same(encode_revocation(*r), data, size));
    (void)verify_revocation(*r);
    check(revocation_reason_text(r->reason) != std::string_view("unknown"));
  }
  if (auto v = decode_vouch(bytes); v.ok()) {
    check(same(encode_vouch(*v), data, size));
    (void)verify_vouch(*v);
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto r = revocation_from_text(text); r.ok()) {
    check(revocation_to_text(*r) == trim(text));
  }
  if (auto v = vouch_from_text(text); v.ok()) check(vouch_to_text(*v) == trim(text));
  if (auto reason = parse_revocation_reason(text); reason.ok()) {
    check(text == revocation_reason_text(*reason) || text.size() == 1);
  }
  return 0;
}
