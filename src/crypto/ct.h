// SPDX-License-Identifier: Apache-2.0
// Constant-time comparison for MACs, keys and tags.
#pragma once

#include "base/bytes.h"

namespace mw::crypto {

// True when a and b have the same length and contents; time depends only on the length.
bool ct_equal(base::Bytes a, base::Bytes b);
// True when every byte is zero; time depends only on the length.
bool ct_is_zero(base::Bytes a);

}  // namespace mw::crypto
