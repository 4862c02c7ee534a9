// SPDX-License-Identifier: Apache-2.0
// Compile-time checks of the constants against the values the references state.
#include "wireguard/constants.h"

namespace mw::wg {

static_assert(kRejectAfterMessages == 0xFFFFFFFFFFFFDFFFull);
static_assert(kMaxTimerHandshakes == 18);
static_assert(kRekeyOnReceiveAge == Duration::seconds(165));
static_assert(kZeroKeysAfter == Duration::seconds(540));
static_assert(kUnderLoadQueueThreshold == 512);

}  // namespace mw::wg
