// SPDX-License-Identifier: Apache-2.0
// NatService: STUN on the shared port, members' reports, the hairpin check, and the report.
#include "node/nat_service.h"

#include <algorithm>

#include "base/log.h"
#include "nat/stun_intake.h"
#include "node/netcheck_report.h"
#include "node/port_mapper.h"

namespace mw::node {
namespace {

constexpr base::Duration kResolveRetry = base::Duration::seconds(30);
constexpr base::Duration kResolvePoll = base::Duration::millis(50);

}  // namespace

NatService::NatService(NatOptions options, std::function<uint64_t()> rng,
                       SeedResolver::Lookup resolve, LocalAddresses local_addresses)
    : options_(std::move(options)),
      rng_(rng),
      local_addresses_(std::move(local_addresses)),
      stun_(options_.stun_config, rng),
      resolver_(std::move(resolve)),
      filtering_{nat::FilteringTest(options_.filtering_config, rng),
                 nat::FilteringTest(options_.filtering_config, rng)} {
  for (const std::string& name : options_.stun) servers_.push_back(Server{name, {}, {}});
  unresolved_ = options_.stun;
}

base::Result<void> NatService::start(EventLoop& loop, base::Instant now) {
  loop_ = &loop;
  loop.add(*this);
  // STUN's top two bits are zero; WireGuard's types 1..4 are taken by the engine first, so only
  // bytes 0x00 and 0x01 can start a STUN answer or request here (Binding is method 0x001).
  MW_RETURN_IF_ERROR(loop.classify(0x00, *this));
  MW_RETURN_IF_ERROR(loop.classify(0x01, *this));
  next_resolve_ = now;
  next_local_ = now;
  hairpin_.next = now + options_.stun_config.initial_rto * 4;  // after the first answers
  next_filtering_ = hairpin_.next;
  read_local(now);
  resolve(now);
  return {};
}

void NatService::send(const base::Endpoint& to, base::Bytes datagram) {
  if (loop_) loop_->engine().send_datagram(to, datagram);
}

void NatService::take_resolved(std::vector<SeedResolver::Answer> answers) {
  bool changed = false;
  for (SeedResolver::Answer& a : answers) {
    auto s = std::find_if(servers_.begin(), servers_.end(),
                          [&](const Server& x) { return x.name == a.seed; });
    if (s == servers_.end()) continue;
    if (!a.endpoints) {
      s->error = a.endpoints.error().message();
      MW_LOG_WARN("STUN server {}: {}; retrying in {} s", a.seed, s->error,
                  kResolveRetry.to_millis() / 1000);
      if (std::find(unresolved_.begin(), unresolved_.end(), a.seed) == unresolved_.end())
        unresolved_.push_back(a.seed);
      continue;
    }
    // One address of each family: a server is asked once per family it has.
    s->endpoints.clear();
    for (const base::Endpoint& e : *a.endpoints) {
      bool family_taken = std::any_of(s->endpoints.begin(), s->endpoints.end(), [&](auto& x) {
        return x.address.family() == e.address.family();
      });
      if (!family_taken) s->endpoints.push_back(e);
    }
    s->error.clear();
    std::erase(unresolved_, a.seed);
    changed = true;
  }
  if (changed) update_servers();
}

void NatService::resolve(base::Instant now) {
  // Literal addresses are answered at once, names on the resolver's thread (collected by
  // on_tick); a failed name comes back to unresolved_ through take_resolved.
  std::vector<std::string> deferred;
  auto answers = resolver_.resolve(unresolved_, kDefaultStunPort, &deferred);
  unresolved_ = std::move(deferred);
  take_resolved(std::move(answers));
  next_resolve_ = now + kResolveRetry;
  if (resolver_.busy()) next_poll_ = now + kResolvePoll;
}

void NatService::update_servers() {
  std::vector<nat::StunServerState> list;
  for (const Server& s : servers_) {
    for (const base::Endpoint& e : s.endpoints) {
      nat::StunServerState st;
      st.name = s.name;
      st.endpoint = e;
      list.push_back(std::move(st));
    }
  }
  stun_.set_servers(std::move(list));
}

void NatService::read_local(base::Instant now) {
  next_local_ = now + options_.local_interval;
  if (!local_addresses_ || !loop_) return;
  std::vector<base::IpAddress> local = local_addresses_();
  std::erase_if(local, [&](const base::IpAddress& a) {
    return std::any_of(options_.exclude.begin(), options_.exclude.end(),
                       [&](const base::IpPrefix& p) { return p.contains(a); });
  });
  std::sort(local.begin(), local.end());
  if (local == local_) return;
  bool first = local_.empty();
  local_ = std::move(local);
  std::vector<base::Endpoint> endpoints;
  for (const base::IpAddress& a : local_) endpoints.push_back({a, loop_->io().udp_port()});
  reflexive_.set_local(std::move(endpoints));
  if (!first) {
    MW_LOG_INFO("local addresses changed: asking the STUN servers again");
    stun_.refresh();
    hairpin_.next = now;
    next_filtering_ = now + options_.stun_config.initial_rto * 4;
  }
}

void NatService::on_datagram(base::Bytes datagram, const base::Endpoint& from, base::Instant now) {
  nat::StunTaken taken =
      nat::take_stun(datagram, from, now, {stun_, reflexive_, filtering_, hairpin_.id});
  switch (taken.intake) {
    case nat::StunIntake::kNotStun: ++drops_.not_stun; break;
    case nat::StunIntake::kOwnRequest:
      // Our own hairpin probe, come back through the NAT.
      hairpin_.id.reset();
      if (hairpin_.works != true) MW_LOG_INFO("NAT hairpinning works (from {})", from.to_string());
      hairpin_.works = true;
      break;
    case nat::StunIntake::kOtherRequest: ++drops_.requests; break;
    case nat::StunIntake::kMalformed: ++drops_.malformed; break;
    case nat::StunIntake::kUnmatched: ++drops_.unmatched; break;
    case nat::StunIntake::kFiltering: log_filtering(); break;
    case nat::StunIntake::kError:
    case nat::StunIntake::kObserved: break;
    case nat::StunIntake::kNewAddress:
      MW_LOG_INFO("reflexive address {} (STUN server {})", taken.mapped.to_string(), taken.server);
      break;
  }
}

void NatService::observed_by_member(std::string observer, const base::Endpoint& observer_endpoint,
                                    const base::Endpoint& mapped, base::Instant now) {
  if (mapped.empty()) return;
  bool changed = reflexive_.observe(nat::Observation{
      nat::Observation::Source::kMember, std::move(observer), observer_endpoint, mapped, now});
  if (changed) MW_LOG_DEBUG("reflexive address {} (a member saw it)", mapped.to_string());
}

void NatService::tick_hairpin(base::Instant now) {
  if (hairpin_.id && now >= hairpin_.deadline) {
    hairpin_.id.reset();
    if (hairpin_.works != false) MW_LOG_INFO("NAT hairpinning does not work");
    hairpin_.works = false;
  }
  if (hairpin_.id || now < hairpin_.next) return;
  hairpin_.next = now + options_.hairpin_interval;
  // Only behind a NAT that maps us the same way for everyone is the check meaningful.
  if (reflexive_.mapping(base::IpAddress::Family::kV4) != nat::Mapping::kEndpointIndependent) {
    hairpin_.next = now + options_.stun_config.refresh_interval;
    return;
  }
  auto addresses = reflexive_.addresses(base::IpAddress::Family::kV4);
  if (addresses.empty()) return;
  uint64_t a = rng_();
  nat::TransactionId id = nat::make_transaction_id(a, rng_());
  hairpin_.id = id;
  hairpin_.deadline = now + options_.hairpin_timeout;
  auto request = nat::encode_binding_request(id);
  send(addresses.front(), request);
}

void NatService::tick_filtering(base::Instant now) {
  auto out = [this](const base::Endpoint& to, base::Bytes d) { send(to, d); };
  for (nat::FilteringTest& t : filtering_) t.tick(now, out);
  log_filtering();
  if (now < next_filtering_) return;
  // Through the first server of each family that answered and has a second address; without
  // one, look again after a while (no datagram is sent for looking).
  bool started = false;
  for (size_t f = 0; f < filtering_.size(); ++f) {
    auto family = f == 0 ? base::IpAddress::Family::kV4 : base::IpAddress::Family::kV6;
    started |= filtering_[f].start_through(stun_.servers(), family, now);
  }
  next_filtering_ =
      now + (started ? options_.filtering_interval : options_.stun_config.refresh_interval);
  if (started)
    for (nat::FilteringTest& t : filtering_) t.tick(now, out);
}

void NatService::log_filtering() {
  for (size_t f = 0; f < filtering_.size(); ++f) {
    nat::Filtering got = filtering_[f].result();
    if (filtering_[f].running() || got == filtering_logged_[f]) continue;
    filtering_logged_[f] = got;
    MW_LOG_INFO("NAT filtering (IPv{}): {} (STUN server {})", f == 0 ? 4 : 6,
                nat::filtering_name(got), filtering_[f].server().to_string());
  }
}

std::vector<Candidate> NatService::candidates() const {
  using Kind = swim::CandidateKind;
  std::vector<Candidate> out;
  auto add = [&](const base::Endpoint& e, Kind kind) {
    if (std::none_of(out.begin(), out.end(), [&](const Candidate& c) { return c.endpoint == e; }))
      out.push_back({e, kind});
  };
  if (mapper_)
    if (auto mapped = mapper_->verified()) add(*mapped, Kind::kMapped);
  for (auto family : {base::IpAddress::Family::kV4, base::IpAddress::Family::kV6}) {
    if (reflexive_.mapping(family) == nat::Mapping::kEndpointDependent) continue;
    auto addresses = reflexive_.addresses(family);
    if (!addresses.empty()) add(addresses.front(), Kind::kReflexive);
  }
  uint16_t port = loop_ ? loop_->io().udp_port() : 0;
  for (const base::IpAddress& a : local_) add(base::Endpoint{a, port}, Kind::kHost);
  return out;
}

base::Instant NatService::next_deadline() const {
  base::Instant d = std::min({stun_.next_deadline(), next_local_, hairpin_.next,
                              filtering_[0].next_deadline(), filtering_[1].next_deadline()});
  if (!stun_.servers().empty()) d = std::min(d, next_filtering_);
  if (hairpin_.id) d = std::min(d, hairpin_.deadline);
  if (!unresolved_.empty()) d = std::min(d, next_resolve_);
  if (resolver_.busy()) d = std::min(d, next_poll_);
  return d;
}

void NatService::on_tick(base::Instant now) {
  take_resolved(resolver_.collect());
  if (!unresolved_.empty() && now >= next_resolve_ && !resolver_.busy()) resolve(now);
  if (resolver_.busy()) next_poll_ = now + kResolvePoll;
  if (now >= next_local_) read_local(now);
  stun_.tick(now, [this](const base::Endpoint& to, base::Bytes d) { send(to, d); });
  if (reflexive_.expire(now)) MW_LOG_INFO("reflexive addresses expired");
  tick_hairpin(now);
  tick_filtering(now);
}

control::NetcheckReport NatService::report(base::Instant now) const {
  uint16_t port = loop_ ? loop_->io().udp_port() : 0;
  NatChecks checks{hairpin_.works, filtering_[0].result(), filtering_[1].result()};
  control::NetcheckReport r = netcheck_report(stun_, reflexive_, checks, local_, port, now);
  r.source = "daemon";
  if (mapper_) r.port_mapping = mapper_->report(now);
  for (const Server& s : servers_) {
    if (!s.endpoints.empty()) continue;
    control::StunServerReport u;
    u.server = s.name;
    u.status = "unresolved";
    u.error = s.error;
    r.stun.insert(r.stun.begin(), std::move(u));
  }
  return r;
}

void NatService::write_metrics(control::MetricsWriter& w) const {
  uint64_t requests = 0, answers = 0, timeouts = 0, errors = 0;
  for (const nat::StunServerState& s : stun_.servers()) {
    requests += s.requests;
    answers += s.answers;
    timeouts += s.timeouts;
    errors += s.errors;
  }
  const char* help = "STUN Binding transactions, by outcome.";
  w.counter("meshward_stun_requests_total", "STUN Binding requests sent (retransmissions too).", {},
            double(requests));
  w.counter("meshward_stun_transactions_total", help, {{"outcome", "answered"}}, double(answers));
  w.counter("meshward_stun_transactions_total", help, {{"outcome", "timeout"}}, double(timeouts));
  w.counter("meshward_stun_transactions_total", help, {{"outcome", "error"}}, double(errors));
  using Family = base::IpAddress::Family;
  for (auto [family, label] : {std::pair{Family::kV4, "4"}, std::pair{Family::kV6, "6"}}) {
    w.gauge("meshward_reflexive_addresses", "Reflexive addresses known, by IP family.",
            {{"family", label}}, double(reflexive_.addresses(family).size()));
    w.gauge("meshward_nat_mapping", "The NAT mapping behaviour seen, by family (1 = this one).",
            {{"family", label}, {"mapping", nat::mapping_name(reflexive_.mapping(family))}}, 1);
    w.gauge("meshward_nat_filtering", "The NAT filtering behaviour seen, by family (1 = this one).",
            {{"family", label}, {"filtering", nat::filtering_name(filtering(family))}}, 1);
  }
  const char* drops = "STUN datagrams dropped, by reason.";
  w.counter("meshward_stun_drops_total", drops, {{"reason", "malformed"}},
            double(drops_.malformed));
  w.counter("meshward_stun_drops_total", drops, {{"reason", "unmatched"}},
            double(drops_.unmatched));
  w.counter("meshward_stun_drops_total", drops, {{"reason", "request"}}, double(drops_.requests));
  w.counter("meshward_stun_drops_total", drops, {{"reason", "not_stun"}}, double(drops_.not_stun));
  if (mapper_) mapper_->write_metrics(w);
}

}  // namespace mw::node
