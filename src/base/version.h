// SPDX-License-Identifier: Apache-2.0
// The one version number of every meshward binary.
#pragma once

namespace mw {

constexpr char kVersion[] = "0.1.0";

}  // namespace mw
