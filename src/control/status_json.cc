// SPDX-License-Identifier: Apache-2.0
// StatusReport <-> JSON, field by field, without exceptions.
#include "control/status_json.h"

#include <cmath>

#include "control/json_fields.h"

namespace mw::control {

using nlohmann::json;

json member_to_json(const MemberStatus& m) {
  json j = {{"identity", m.identity},
            {"name", m.name},
            {"state", m.state},
            {"endpoint", m.endpoint},
            {"path", m.path},
            {"via", m.via},
            {"ipv4", m.ipv4},
            {"ipv6", m.ipv6},
            {"ipv4_routed", m.ipv4_routed},
            {"ipv4_note", m.ipv4_note},
            {"admitted_by", m.admitted_by},
            {"last_handshake_unix", m.last_handshake_unix},
            {"rx_bytes", m.rx_bytes},
            {"tx_bytes", m.tx_bytes},
            {"incarnation", m.incarnation}};
  // JSON has no NaN or infinity: an unmeasurable RTT is null, like an unmeasured one.
  if (m.rtt_ms && std::isfinite(*m.rtt_ms)) {
    j["rtt_ms"] = *m.rtt_ms;
  } else {
    j["rtt_ms"] = nullptr;
  }
  return j;
}

json status_to_json(const StatusReport& s) {
  json members = json::array();
  for (const MemberStatus& m : s.members) members.push_back(member_to_json(m));
  return {{"version", s.version},
          {"identity", s.identity},
          {"interface", s.interface},
          {"ipv4", s.ipv4},
          {"ipv6", s.ipv6},
          {"port", s.port},
          {"incarnation", s.incarnation},
          {"started_unix", s.started_unix},
          {"gossip_only", s.gossip_only},
          {"data_path", s.data_path},
          {"members", std::move(members)}};
}

base::Result<MemberStatus> member_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) return base::make_error("{}: expected an object", where);
  MemberStatus m;
  JsonFields f(j, where);
  f.read("identity", m.identity);
  f.read("name", m.name);
  f.read("state", m.state);
  f.read("endpoint", m.endpoint);
  f.read("path", m.path);
  f.read("via", m.via);
  f.read("ipv4", m.ipv4);
  f.read("ipv6", m.ipv6);
  f.read("ipv4_routed", m.ipv4_routed);
  f.read("ipv4_note", m.ipv4_note);
  f.read("admitted_by", m.admitted_by);
  f.read("last_handshake_unix", m.last_handshake_unix);
  f.read("rx_bytes", m.rx_bytes);
  f.read("tx_bytes", m.tx_bytes);
  f.read("rtt_ms", m.rtt_ms);
  f.read("incarnation", m.incarnation);
  if (f.error()) return *f.error();
  return m;
}

base::Result<StatusReport> status_from_json(const json& j) {
  if (!j.is_object()) return base::make_error("status: expected an object");
  StatusReport s;
  JsonFields f(j, "status");
  f.read("version", s.version);
  f.read("identity", s.identity);
  f.read("interface", s.interface);
  f.read("ipv4", s.ipv4);
  f.read("ipv6", s.ipv6);
  f.read("port", s.port);
  f.read("incarnation", s.incarnation);
  f.read("started_unix", s.started_unix);
  f.read("gossip_only", s.gossip_only);
  f.read("data_path", s.data_path);
  if (f.error()) return *f.error();
  const json* members = f.find("members");
  if (!members) return s;
  if (!members->is_array()) return base::make_error("status.members: expected an array");
  s.members.reserve(members->size());
  for (size_t i = 0; i < members->size(); ++i) {
    auto m = member_from_json((*members)[i], fmt::format("status.members[{}]", i));
    if (!m) return m.error();
    s.members.push_back(std::move(*m));
  }
  return s;
}

std::string dump_json(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace mw::control
