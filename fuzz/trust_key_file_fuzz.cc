// SPDX-License-Identifier: Apache-2.0
// Fuzzes the identity.key and public key parsers: whatever they accept re-encodes to the
// canonical form (the trimmed input plus a newline).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "trust/identity.h"

namespace {

using mw::fuzz::check;
using mw::fuzz::trim;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::string canonical = std::string(trim(text)) + "\n";
  if (auto id = mw::trust::parse_identity_key(text); id.ok()) {
    check(mw::trust::encode_identity_key(*id) == canonical);
    check(mw::trust::wireguard_public_key(id->public_key).has_value());
  }
  if (auto key = mw::trust::parse_public_key(text); key.ok()) {
    check(mw::trust::encode_public_key_line(*key) == canonical);
    check(mw::trust::wireguard_public_key(*key).has_value());
  }
  return 0;
}
