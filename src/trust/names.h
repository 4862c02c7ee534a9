// SPDX-License-Identifier: Apache-2.0
// Names of trust files (authorized_keys/<name>.pub, trusted_orgs/<name>.org): safe file names.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace mw::trust {

// Keeps [A-Za-z0-9._-], replaces any other byte with '_', drops leading dots, and cuts at 64
// characters. nullopt when nothing usable remains (empty, only dots).
std::optional<std::string> sanitize_name(std::string_view name);

}  // namespace mw::trust
