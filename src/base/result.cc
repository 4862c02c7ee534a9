// SPDX-License-Identifier: Apache-2.0
// Error helpers.
#include "base/result.h"

#include <cstring>

namespace mw::base {

Error Error::from_errno(std::string_view what, int err) {
  return Error(fmt::format("{}: {}", what, std::strerror(err)), err);
}

}  // namespace mw::base
