// SPDX-License-Identifier: Apache-2.0
// NetcheckReport <-> JSON.
#include "control/netcheck.h"

#include <cmath>

#include "control/json_fields.h"

namespace mw::control {

using nlohmann::json;

namespace {

json rtt_json(const std::optional<double>& rtt) {
  if (rtt && std::isfinite(*rtt)) return *rtt;
  return nullptr;
}

// An array of strings under `key`; an absent key leaves `out` empty.
void read_strings(JsonFields& f, const char* key, std::vector<std::string>& out) {
  const json* a = f.find(key);
  if (!a) return;
  if (!a->is_array()) return f.fail(key, "expected an array of strings");
  for (const json& s : *a) {
    if (!s.is_string()) return f.fail(key, "expected an array of strings");
    out.push_back(s.get<std::string>());
  }
}

// An array of objects under `key`, each read by `one`.
template <typename T, typename Read>
void read_objects(JsonFields& f, const char* key, const std::string& where, std::vector<T>& out,
                  Read one) {
  const json* a = f.find(key);
  if (!a) return;
  if (!a->is_array()) return f.fail(key, "expected an array");
  for (size_t i = 0; i < a->size(); ++i) {
    const json& o = (*a)[i];
    std::string at = where + "." + key + "[" + std::to_string(i) + "]";
    if (!o.is_object()) return f.fail(key, "expected objects");
    JsonFields g(o, at);
    T item;
    one(g, item);
    if (g.error()) return f.fail(key, g.error()->message());
    out.push_back(std::move(item));
  }
}

}  // namespace

json netcheck_to_json(const NetcheckReport& r) {
  json stun = json::array();
  for (const StunServerReport& s : r.stun)
    stun.push_back({{"server", s.server},
                    {"address", s.address},
                    {"status", s.status},
                    {"mapped", s.mapped},
                    {"rtt_ms", rtt_json(s.rtt_ms)},
                    {"error_code", s.error_code},
                    {"error", s.error}});
  json observers = json::array();
  for (const ObserverReport& o : r.observers)
    observers.push_back({{"kind", o.kind},
                         {"observer", o.observer},
                         {"address", o.address},
                         {"mapped", o.mapped},
                         {"age_s", o.age_s}});
  const PortMappingReport& m = r.port_mapping;
  json port_mapping = {{"status", m.status},   {"protocol", m.protocol}, {"external", m.external},
                       {"gateway", m.gateway}, {"lease_s", m.lease_s},   {"verified", m.verified},
                       {"error", m.error}};
  return {{"source", r.source},
          {"port", r.port},
          {"mapping_v4", r.mapping_v4},
          {"mapping_v6", r.mapping_v6},
          {"filtering_v4", r.filtering_v4},
          {"filtering_v6", r.filtering_v6},
          {"hairpin", r.hairpin},
          {"reflexive_v4", r.reflexive_v4},
          {"reflexive_v6", r.reflexive_v6},
          {"local", r.local},
          {"announced", r.announced},
          {"stun", std::move(stun)},
          {"observers", std::move(observers)},
          {"port_mapping", std::move(port_mapping)}};
}

base::Result<NetcheckReport> netcheck_from_json(const json& j) {
  if (!j.is_object()) return base::make_error("netcheck: expected an object");
  NetcheckReport r;
  JsonFields f(j, "netcheck");
  f.read("source", r.source);
  f.read("port", r.port);
  f.read("mapping_v4", r.mapping_v4);
  f.read("mapping_v6", r.mapping_v6);
  f.read("filtering_v4", r.filtering_v4);
  f.read("filtering_v6", r.filtering_v6);
  f.read("hairpin", r.hairpin);
  read_strings(f, "reflexive_v4", r.reflexive_v4);
  read_strings(f, "reflexive_v6", r.reflexive_v6);
  read_strings(f, "local", r.local);
  read_strings(f, "announced", r.announced);
  read_objects(f, "stun", "netcheck", r.stun, [](JsonFields& g, StunServerReport& s) {
    g.read("server", s.server);
    g.read("address", s.address);
    g.read("status", s.status);
    g.read("mapped", s.mapped);
    g.read("rtt_ms", s.rtt_ms);
    g.read("error_code", s.error_code);
    g.read("error", s.error);
  });
  read_objects(f, "observers", "netcheck", r.observers, [](JsonFields& g, ObserverReport& o) {
    g.read("kind", o.kind);
    g.read("observer", o.observer);
    g.read("address", o.address);
    g.read("mapped", o.mapped);
    std::optional<double> age;
    g.read("age_s", age);
    o.age_s = age.value_or(0);
  });
  if (const json* m = f.find("port_mapping")) {
    if (!m->is_object()) {
      f.fail("port_mapping", "expected an object");
    } else {
      JsonFields g(*m, "netcheck.port_mapping");
      PortMappingReport& p = r.port_mapping;
      g.read("status", p.status);
      g.read("protocol", p.protocol);
      g.read("external", p.external);
      g.read("gateway", p.gateway);
      std::optional<double> lease;
      g.read("lease_s", lease);
      p.lease_s = lease.value_or(0);
      g.read("verified", p.verified);
      g.read("error", p.error);
      if (g.error()) return *g.error();
    }
  }
  if (f.error()) return *f.error();
  return r;
}

}  // namespace mw::control
