// SPDX-License-Identifier: Apache-2.0
// Lifeguard suspicion timeouts: logarithmic decay from max to min with confirmations.
#include "discovery/suspicion.h"

#include <algorithm>
#include <cmath>

namespace mw::swim {

base::Duration suspicion_timeout(int suspicion_mult, size_t n, base::Duration probe_interval) {
  double scale = std::max(1.0, std::log10(std::max(1.0, static_cast<double>(n))));
  // As memberlist: scale in thousandths so that the result is exact for whole numbers.
  int64_t milli = static_cast<int64_t>(scale * 1000);
  return base::Duration::nanos(probe_interval.to_nanos() / 1000 * milli * suspicion_mult);
}

Suspicion::Suspicion(const crypto::PublicKey& from, int k, base::Duration min, base::Duration max,
                     base::Instant now)
    : k_(k), min_(min), max_(max), start_(now), timeout_(k < 1 ? min : max) {
  accusers_.push_back(from);
}

base::Duration Suspicion::remaining(int n, int k, base::Duration elapsed, base::Duration min,
                                    base::Duration max) {
  double frac = std::log(n + 1.0) / std::log(k + 1.0);
  double raw = max.to_seconds_f() - frac * (max.to_seconds_f() - min.to_seconds_f());
  base::Duration timeout = base::Duration::millis(static_cast<int64_t>(std::floor(1000.0 * raw)));
  if (timeout < min) timeout = min;
  return timeout - elapsed;
}

bool Suspicion::has_accuser(const crypto::PublicKey& from) const {
  return std::find(accusers_.begin(), accusers_.end(), from) != accusers_.end();
}

bool Suspicion::confirm(const crypto::PublicKey& from) {
  if (n_ >= k_ || has_accuser(from)) return false;
  accusers_.push_back(from);
  ++n_;
  timeout_ = remaining(n_, k_, base::Duration::zero(), min_, max_);
  return true;
}

}  // namespace mw::swim
