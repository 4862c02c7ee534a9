// SPDX-License-Identifier: Apache-2.0
// PortMapper: attempts on a thread, the lease schedule, the check against the reflexive
// addresses, the deletion at exit.
#include "node/port_mapper.h"

#include <chrono>

#include "base/log.h"
#include "os/process.h"

namespace mw::node {
namespace {

constexpr base::Duration kPoll = base::Duration::millis(50);

}  // namespace

std::optional<std::vector<nat::MappingProtocol>> port_mapping_protocols(std::string_view mode) {
  using P = nat::MappingProtocol;
  if (mode == "auto") return std::vector<P>{P::kUpnp, P::kNatPmp, P::kPcp};
  if (mode == "off") return std::vector<P>{};
  auto p = nat::parse_mapping_protocol(mode);
  if (!p || *p == P::kNone) return std::nullopt;
  return std::vector<P>{*p};
}

PortMapper::PortMapper(PortMapperOptions options, std::shared_ptr<MappingClient> client,
                       NatService& nat)
    : options_(std::move(options)),
      client_(std::move(client)),
      nat_(nat),
      schedule_(options_.lease) {}

PortMapper::~PortMapper() {
  if (loop_) nat_.set_port_mapper(nullptr);
  if (!thread_.joinable()) return;
  if (job_ && !job_->done) {
    thread_.detach();  // it owns references to its job and the client
  } else {
    thread_.join();
  }
}

void PortMapper::start(EventLoop& loop, base::Instant now) {
  (void)now;
  loop_ = &loop;
  loop.add(*this);
  nat_.set_port_mapper(this);
}

base::Instant PortMapper::next_deadline() const {
  if (options_.protocols.empty()) return base::Instant::max();
  if (job_) return next_poll_;
  return schedule_.next_deadline();
}

void PortMapper::begin_attempt(base::Instant now) {
  std::vector<nat::MappingProtocol> order;
  if (kept_) order.push_back(*kept_);
  for (nat::MappingProtocol p : options_.protocols)
    if (!kept_ || p != *kept_) order.push_back(p);
  if (kept_) order.resize(1);  // a renewal asks the gateway that granted the lease
  uint16_t port = loop_->io().udp_port();
  uint16_t suggested = mapping_ ? mapping_->external.port : 0;
  schedule_.on_attempt();
  job_ = std::make_shared<Job>();
  next_poll_ = now + kPoll;
  if (thread_.joinable()) thread_.join();
  thread_ = std::thread([job = job_, client = client_, order, port, suggested,
                         lifetime = options_.lifetime, previous = mapping_] {
    os::set_thread_name("mw-portmap");
    std::optional<nat::PortMapping> granted;
    std::vector<std::pair<nat::MappingProtocol, std::string>> failures;
    for (nat::MappingProtocol p : order) {
      auto m = client->map(p, port, suggested, lifetime);
      if (m) {
        granted = *m;
        break;
      }
      failures.emplace_back(p, m.error().message());
    }
    // A new mapping in place of one we still hold (its renewal failed, another protocol
    // answered elsewhere): the old one goes, or it would stay open on the gateway until its
    // lease ends. The same external endpoint on the same gateway is the same entry there
    // (miniupnpd keeps one table for all three protocols): deleting it would undo the grant.
    std::optional<nat::PortMapping> replaced;
    std::string replace_error;
    if (granted && previous &&
        (previous->external != granted->external || previous->gateway != granted->gateway)) {
      replaced = previous;
      if (auto r = client->unmap(*previous); !r) replace_error = r.error().message();
    }
    std::lock_guard<std::mutex> lock(job->mutex);
    job->granted = std::move(granted);
    job->failures = std::move(failures);
    job->replaced = std::move(replaced);
    job->replace_error = std::move(replace_error);
    job->done = true;
  });
}

void PortMapper::finish_attempt(base::Instant now) {
  std::optional<nat::PortMapping> granted, replaced;
  std::vector<std::pair<nat::MappingProtocol, std::string>> failures;
  std::string replace_error;
  {
    std::lock_guard<std::mutex> lock(job_->mutex);
    granted = std::move(job_->granted);
    failures = std::move(job_->failures);
    replaced = std::move(job_->replaced);
    replace_error = std::move(job_->replace_error);
  }
  thread_.join();
  job_.reset();
  std::string errors;
  for (const auto& [p, error] : failures) {
    ++counts_[size_t(p)].attempts;
    ++counts_[size_t(p)].failures;
    errors += (errors.empty() ? "" : "; ") + error;
  }
  if (!failures.empty()) last_error_ = errors;
  if (!granted) {
    schedule_.on_failed(now);
    if (kept_)
      MW_LOG_WARN("port mapping: renewal failed: {}", errors);
    else if (!mapping_)
      MW_LOG_INFO("port mapping: none ({}); again in {} s", errors,
                  (schedule_.next_deadline() - now).to_millis() / 1000);
    kept_.reset();  // the next attempt tries every protocol again
    return;
  }
  ++counts_[size_t(granted->protocol)].attempts;
  last_gateway_ = granted->gateway.to_string();
  if (replaced && replace_error.empty())
    MW_LOG_INFO("port mapping {} ({}) deleted: replaced", replaced->external.to_string(),
                nat::mapping_protocol_name(replaced->protocol));
  if (replaced && !replace_error.empty())
    MW_LOG_WARN("port mapping {} ({}) replaced, but not deleted: {}",
                replaced->external.to_string(), nat::mapping_protocol_name(replaced->protocol),
                replace_error);
  // A gateway without leases maps for good: renewed on our own schedule all the same.
  base::Duration lease =
      granted->lifetime > base::Duration::zero() ? granted->lifetime : options_.lifetime;
  bool changed = !mapping_ || mapping_->external != granted->external ||
                 mapping_->protocol != granted->protocol;
  if (changed) {
    MW_LOG_INFO("port mapping: {} {} -> port {} (gateway {}, lease {} s)",
                nat::mapping_protocol_name(granted->protocol), granted->external.to_string(),
                granted->internal_port, last_gateway_, lease.to_millis() / 1000);
    logged_check_ = nat::MappingCheck::kUnknown;
  }
  mapping_ = granted;
  kept_ = granted->protocol;
  last_error_.clear();
  schedule_.on_granted(now, lease);
}

void PortMapper::note_check() {
  nat::MappingCheck c = check();
  if (c == logged_check_ || !mapping_) return;
  logged_check_ = c;
  if (c == nat::MappingCheck::kVerified)
    MW_LOG_INFO("port mapping {} verified: the world sees us at its address",
                mapping_->external.to_string());
  if (c == nat::MappingCheck::kMismatch)
    MW_LOG_WARN(
        "port mapping {} is not announced: its address is not where STUN and members "
        "see us (a gateway behind another NAT?)",
        mapping_->external.to_string());
}

void PortMapper::on_tick(base::Instant now) {
  if (options_.protocols.empty() || !loop_) return;
  if (job_) {
    if (!job_->done) {
      next_poll_ = now + kPoll;
      return;
    }
    finish_attempt(now);
  }
  if (schedule_.expire(now)) {
    MW_LOG_WARN("port mapping {} expired", mapping_ ? mapping_->external.to_string() : "-");
    mapping_.reset();
    kept_.reset();
  }
  note_check();
  if (schedule_.due(now)) begin_attempt(now);
}

void PortMapper::on_stop(base::Instant now) {
  (void)now;
  auto waited = [](const std::atomic<bool>& done, base::Duration limit) {
    auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(limit.to_nanos());
    while (!done && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return done.load();
  };
  if (job_) {
    if (!waited(job_->done, options_.stop_wait)) return;  // the destructor detaches it
    finish_attempt(now);
  }
  if (!mapping_) return;
  // The deletion, on a thread too: a dead gateway must not hold up the exit.
  struct Unmap {
    std::atomic<bool> done{false};
    std::mutex mutex;
    std::string error;
  };
  auto unmap = std::make_shared<Unmap>();
  std::thread t([unmap, client = client_, m = *mapping_] {
    auto r = client->unmap(m);
    std::lock_guard<std::mutex> lock(unmap->mutex);
    if (!r) unmap->error = r.error().message();
    unmap->done = true;
  });
  if (!waited(unmap->done, options_.stop_wait)) {
    t.detach();
    MW_LOG_WARN("port mapping {}: the gateway did not confirm the deletion in time",
                mapping_->external.to_string());
    return;
  }
  t.join();
  if (!unmap->error.empty()) {
    MW_LOG_WARN("port mapping {}: {}", mapping_->external.to_string(), unmap->error);
  } else {
    MW_LOG_INFO("port mapping {} deleted", mapping_->external.to_string());
  }
  mapping_.reset();
}

nat::MappingCheck PortMapper::check() const {
  if (!mapping_) return nat::MappingCheck::kUnknown;
  return nat::check_mapping(mapping_->external,
                            nat_.reflexive().addresses(mapping_->external.address.family()));
}

std::optional<base::Endpoint> PortMapper::verified() const {
  if (check() != nat::MappingCheck::kVerified) return std::nullopt;
  return mapping_->external;
}

control::PortMappingReport PortMapper::report(base::Instant now) const {
  control::PortMappingReport r;
  if (options_.protocols.empty()) return r;  // "off"
  r.error = last_error_;
  r.gateway = last_gateway_;
  if (!mapping_) {
    r.status = last_error_.empty() ? "trying" : "failed";
    return r;
  }
  r.status = "mapped";
  r.protocol = nat::mapping_protocol_name(mapping_->protocol);
  r.external = mapping_->external.to_string();
  r.gateway = mapping_->gateway.to_string();
  r.lease_s = std::max(0.0, (schedule_.expires() - now).to_seconds_f());
  r.verified = check() == nat::MappingCheck::kVerified;
  return r;
}

void PortMapper::write_metrics(control::MetricsWriter& w) const {
  nat::MappingProtocol held = mapping_ ? mapping_->protocol : nat::MappingProtocol::kNone;
  w.gauge(
      "meshward_port_mapping",
      "The gateway's inbound mapping of our port (1 = held), by protocol and whether its "
      "address is verified against what STUN and members see.",
      {{"protocol", nat::mapping_protocol_name(held)}, {"verified", verified() ? "true" : "false"}},
      mapping_ ? 1 : 0);
  for (nat::MappingProtocol p :
       {nat::MappingProtocol::kUpnp, nat::MappingProtocol::kNatPmp, nat::MappingProtocol::kPcp}) {
    const char* name = nat::mapping_protocol_name(p);
    w.counter("meshward_port_mapping_attempts_total", "Port-mapping requests to the gateway.",
              {{"protocol", name}}, double(counts_[size_t(p)].attempts));
    w.counter("meshward_port_mapping_failures_total", "Port-mapping requests that failed.",
              {{"protocol", name}}, double(counts_[size_t(p)].failures));
  }
}

}  // namespace mw::node
