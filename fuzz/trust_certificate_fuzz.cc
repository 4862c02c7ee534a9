// SPDX-License-Identifier: Apache-2.0
// Fuzzes the certificate decoders: an accepted encoding re-encodes byte for byte, an accepted
// text re-encodes to the trimmed input, and verification never crashes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "trust/certificate.h"

namespace {

using mw::fuzz::check;
using mw::fuzz::trim;

// Unix seconds as nanoseconds, without overflowing.
int64_t clamped_nanos(int64_t seconds) {
  constexpr int64_t kLimit = INT64_MAX / 1'000'000'000;
  return std::clamp(seconds, -kLimit, kLimit) * 1'000'000'000;
}

void exercise(const mw::trust::Certificate& cert) {
  using mw::base::WallTime;
  for (const WallTime now :
       {WallTime{0}, WallTime{1'700'000'000'000'000'000}, WallTime{clamped_nanos(cert.issued_at)},
        WallTime{INT64_MIN}, WallTime{INT64_MAX}}) {
    const auto c = mw::trust::verify_certificate(cert, cert.node_key, now);
    check(mw::trust::cert_check_text(c) != nullptr);
  }
  check(mw::trust::verify_certificate(cert, cert.org_key, WallTime{}) ==
            mw::trust::CertCheck::kWrongNode ||
        cert.org_key == cert.node_key);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const mw::base::Bytes bytes(data, size);
  if (auto cert = mw::trust::decode_certificate(bytes); cert.ok()) {
    const std::vector<uint8_t> again = mw::trust::encode_certificate(*cert);
    check(again.size() == size && std::equal(again.begin(), again.end(), data));
    check(size <= mw::trust::kMaxCertificateLen);
    exercise(*cert);
  }
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto cert = mw::trust::certificate_from_text(text); cert.ok()) {
    check(mw::trust::certificate_to_text(*cert) == trim(text));
    exercise(*cert);
  }
  return 0;
}
