// SPDX-License-Identifier: Apache-2.0
// Suspicion: Lifeguard's suspicion timer, which shrinks as independent accusers confirm it
// (memberlist suspicion.go).
#pragma once

#include <cstddef>
#include <vector>

#include "base/time.h"
#include "crypto/keys.h"

namespace mw::swim {

// min = suspicion_mult * max(1, log10(n)) * probe_interval, for n members (self included).
base::Duration suspicion_timeout(int suspicion_mult, size_t n, base::Duration probe_interval);

// The timer starts at `max` and, with n of k expected confirmations from distinct accusers
// (the first accuser does not count), is
//   max(min, max - log(n+1)/log(k+1) * (max - min))   (floored to milliseconds)
// from the start. k < 1 means no confirmations are expected: min from the start.
class Suspicion {
 public:
  Suspicion(const crypto::PublicKey& from, int k, base::Duration min, base::Duration max,
            base::Instant now);

  // Counts a confirmation from a new accuser; false if `from` was already counted or k
  // confirmations were reached. The deadline moves earlier.
  bool confirm(const crypto::PublicKey& from);
  bool has_accuser(const crypto::PublicKey& from) const;
  // Would confirm(from) count? (Checked before the accusation's signature is verified.)
  bool would_confirm(const crypto::PublicKey& from) const { return n_ < k_ && !has_accuser(from); }
  int confirmations() const { return n_; }
  base::Instant deadline() const { return start_ + timeout_; }

  // The timeout after n confirmations, minus what has elapsed (may be negative).
  static base::Duration remaining(int n, int k, base::Duration elapsed, base::Duration min,
                                  base::Duration max);

 private:
  int k_;
  int n_ = 0;
  base::Duration min_, max_;
  base::Instant start_;
  base::Duration timeout_;
  std::vector<crypto::PublicKey> accusers_;  // the first accuser and each confirmation
};

}  // namespace mw::swim
