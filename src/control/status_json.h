// SPDX-License-Identifier: Apache-2.0
// StatusReport and MemberStatus as JSON objects: the "status" field of a response, and what
// `meshward status --json` / `meshward peers --json` print.
#pragma once

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "control/protocol.h"

namespace mw::control {

nlohmann::json member_to_json(const MemberStatus& member);
nlohmann::json status_to_json(const StatusReport& status);
// Checks the type of every known field; unknown fields are ignored, absent ones keep defaults.
base::Result<MemberStatus> member_from_json(const nlohmann::json& j, const std::string& where);
base::Result<StatusReport> status_from_json(const nlohmann::json& j);

// j.dump(indent) that never throws: invalid UTF-8 in strings becomes U+FFFD.
std::string dump_json(const nlohmann::json& j, int indent = -1);

}  // namespace mw::control
