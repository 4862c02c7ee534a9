// SPDX-License-Identifier: Apache-2.0
// UnderLoad: the handshake-pressure judgement of whitepaper §5.3 as the kernel makes it
// (receive.c): under load while the queue of incoming handshakes holds at least 1/8 of its
// capacity, and for one second after it last did. The caller feeds it the queue length.
#pragma once

#include <cstddef>
#include <optional>

#include "base/time.h"
#include "wireguard/constants.h"

namespace mw::wg {

class UnderLoad {
 public:
  explicit UnderLoad(size_t threshold = kUnderLoadQueueThreshold,
                     base::Duration sticky = kUnderLoadAfterTime)
      : threshold_(threshold), sticky_(sticky) {}

  // Whether a handshake message arriving now, with `queued` handshakes waiting, must carry mac2.
  bool update(size_t queued, base::Instant now) {
    if (queued >= threshold_) last_loaded_ = now;
    return last_loaded_ && now - *last_loaded_ < sticky_;
  }

 private:
  size_t threshold_;
  base::Duration sticky_;
  std::optional<base::Instant> last_loaded_;
};

}  // namespace mw::wg
