// SPDX-License-Identifier: Apache-2.0
// MeshDaemon's life: start (TUN addresses and routes, control socket, metrics, membership,
// seeds), the datagrams and deadlines of the loop, signals, and the graceful leave.
#include "node/mesh_daemon.h"

#include <algorithm>
#include <cerrno>
#include <charconv>

#include <fmt/format.h>

#include "base/clock.h"
#include "base/log.h"
#include "crypto/random.h"
#include "os/file.h"
#include "os/netlink.h"
#include "os/process.h"
#include "os/resolve.h"
#include "trust/address.h"

namespace mw::node {
namespace {

constexpr base::Duration kSeedRetry = base::Duration::seconds(10);
// While names are being looked up, how often the loop looks for the answers.
constexpr base::Duration kSeedPoll = base::Duration::millis(50);
constexpr base::Duration kReauthorizeInterval = base::Duration::seconds(60);
// How often our claim's endpoints are compared with the candidates (a change is a new claim).
constexpr base::Duration kCandidateInterval = base::Duration::seconds(1);
// Below the 30 s after which Linux conntrack forgets an unanswered UDP flow, and the common
// home router timeouts (docs/nat.md).
constexpr base::Duration kNatKeepalive = base::Duration::seconds(25);

uint64_t random_u64() { return (uint64_t(crypto::random_u32()) << 32) | crypto::random_u32(); }

std::vector<base::Endpoint> endpoints_of(const std::vector<Candidate>& c) {
  std::vector<base::Endpoint> out;
  for (const Candidate& x : c) out.push_back(x.endpoint);
  return out;
}
std::vector<swim::CandidateKind> kinds_of(const std::vector<Candidate>& c) {
  std::vector<swim::CandidateKind> out;
  for (const Candidate& x : c) out.push_back(x.kind);
  return out;
}

}  // namespace

MeshDaemon::MeshDaemon(MeshOptions options, base::Instant now, base::WallTime wall)
    : options_(std::move(options)),
      started_wall_(wall),
      // Wall-clock seconds: a restarted node's claims always supersede its old ones.
      incarnation_(uint64_t(wall.unix_nanos / 1000000000)),
      membership_(options_.identity, options_.trust, swim::Config{}, random_u64),
      self_v4_(trust::mesh_ipv4(options_.identity.public_key, options_.prefixes)),
      self_v6_(trust::mesh_ipv6(options_.identity.public_key, options_.prefixes)),
      seed_resolver_(os::resolve),
      unresolved_seeds_(options_.seeds),
      next_seed_resolve_(now),
      next_reauthorize_(now + kReauthorizeInterval) {}

base::WallTime MeshDaemon::wall_now() const { return base::SystemClock::instance().wall(); }

base::Result<void> MeshDaemon::start(EventLoop& loop, PathManager& paths, base::Instant now) {
  loop_ = &loop;
  paths_ = &paths;
  loop.add(*this);
  MW_RETURN_IF_ERROR(loop.classify(swim::kMeshMagic, *this));
  if (!options_.gossip_only) {
    loop.engine().device().set_private_key(trust::wireguard_private_key(options_.identity));
    if (options_.configure_interface) MW_RETURN_IF_ERROR(configure_tun());
  }
  auto listener = os::UnixListener::listen(options_.control_socket);
  if (!listener)
    return base::make_error("control socket {}: {}", options_.control_socket,
                            listener.error().message());
  control_listener_ = std::move(*listener);
  uint32_t daemon_uid = os::effective_uid();
  control_server_.emplace(
      "control socket", control::kMaxRequestLen, true,
      [this, daemon_uid](std::string_view in,
                         const os::PeerCredentials* creds) -> std::optional<std::string> {
        size_t end = in.find('\n');
        if (end == std::string_view::npos) return std::nullopt;
        control::Caller caller;
        if (creds) caller = control::Caller{creds->uid, creds->gid, creds->pid};
        return control::serve(in.substr(0, end), caller, daemon_uid, *this);
      });
  MW_RETURN_IF_ERROR(control_server_->start(loop, control_listener_->fd(),
                                            [this] { return control_listener_->try_accept(); }));
  if (options_.metrics) {
    auto tcp = os::TcpListener::listen(*options_.metrics);
    if (!tcp)
      return base::make_error("metrics {}: {}", options_.metrics->to_string(),
                              tcp.error().message());
    metrics_listener_ = std::move(*tcp);
    metrics_server_.emplace(
        "metrics", 8192, false,
        [this](std::string_view in, const os::PeerCredentials*) { return respond_metrics(in); });
    MW_RETURN_IF_ERROR(metrics_server_->start(loop, metrics_listener_->fd(),
                                              [this] { return metrics_listener_->try_accept(); }));
  }
  std::vector<Candidate> announce = candidates();
  next_candidates_ = now + kCandidateInterval;
  incarnation_ = std::max(incarnation_, load_incarnation() + 1);
  persist_incarnation(incarnation_);
  // Counters of one life stay below the next life's seed while a life sends < 2^32 datagrams.
  membership_.start(now, wall_now(), incarnation_, endpoints_of(announce), options_.certificate,
                    std::max(incarnation_ << 32, uint64_t(wall_now().unix_nanos)),
                    kinds_of(announce));
  resolve_seeds(now);
  MW_LOG_INFO("mesh node {} up: {} {} / {}, UDP port {}, control {}{}",
              trust::public_key_text(options_.identity.public_key),
              options_.gossip_only ? "gossip only," : loop.io().tun_name(), self_v4_.to_string(),
              self_v6_.to_string(), loop.io().udp_port(), options_.control_socket,
              options_.metrics ? ", metrics http://" + options_.metrics->to_string() + "/metrics"
                               : std::string());
  if (auto r = os::notify_service_manager("READY=1"); !r)
    MW_LOG_WARN("sd_notify: {}", r.error().message());
  return {};
}

base::Result<void> MeshDaemon::configure_tun() {
  const std::string& name = loop_->io().tun_name();
  MW_RETURN_IF_ERROR(os::set_link_up(name, options_.mtu));
  for (const auto& [address, length] : {std::pair{self_v4_, options_.prefixes.v4.length},
                                        std::pair{self_v6_, options_.prefixes.v6.length}}) {
    auto r = os::add_address(name, address, length);
    if (!r && r.error().sys_errno() != EEXIST) return r.error();  // EEXIST: already there
  }
  // The prefix routes come with the addresses; adding them again (replace) makes sure they
  // point at this interface even if the kernel did not create them.
  MW_RETURN_IF_ERROR(os::add_route(name, options_.prefixes.v4));
  MW_RETURN_IF_ERROR(os::add_route(name, options_.prefixes.v6));
  return {};
}

void MeshDaemon::resolve_seeds(base::Instant now) {
  for (SeedResolver::Answer& a : seed_resolver_.collect()) take_seed_answer(a, now);
  if (!unresolved_seeds_.empty() && now >= next_seed_resolve_) {
    // Names that failed are retried only while the node has nobody else to learn the mesh from.
    if (membership_.alive_count() == 0) {
      std::vector<std::string> deferred;
      std::vector<SeedResolver::Answer> answers =
          seed_resolver_.resolve(unresolved_seeds_, options_.port, &deferred);
      unresolved_seeds_ = std::move(deferred);  // names in flight come back with their answer
      for (SeedResolver::Answer& a : answers) take_seed_answer(a, now);
    }
    next_seed_resolve_ = now + kSeedRetry;
  }
  if (seed_resolver_.busy()) next_seed_poll_ = now + kSeedPoll;
}

void MeshDaemon::take_seed_answer(SeedResolver::Answer& answer, base::Instant now) {
  if (!answer.endpoints) {
    MW_LOG_WARN("seed {}: {}; retrying in {} s", answer.seed, answer.endpoints.error().message(),
                kSeedRetry.to_millis() / 1000);
    unresolved_seeds_.push_back(answer.seed);
    return;
  }
  for (const auto& e : *answer.endpoints) {
    MW_LOG_INFO("seed {} -> {}", answer.seed, e.to_string());
    membership_.add_seed(e, now);
  }
}

void MeshDaemon::on_datagram(base::Bytes datagram, const base::Endpoint& from, base::Instant now) {
  membership_.receive(datagram, from, now, wall_now(), *this);
  apply_events(now);
  forward_observed(now);
  log_refused_joins();
}

void MeshDaemon::log_refused_joins() {
  for (const swim::RefusedJoin& r : membership_.take_refused_joins()) {
    std::string key = trust::public_key_text(r.sender);
    MW_LOG_WARN(
        "refused a join from {} at {} ({}); to admit it: meshward trust {} --name NAME, then "
        "SIGHUP this daemon",
        key, r.from.to_string(), r.why.empty() ? "not trusted here" : r.why, key);
  }
}

void MeshDaemon::forward_observed(base::Instant now) {
  std::vector<swim::Observed> seen = membership_.take_observed();
  if (!nat_) return;
  for (const swim::Observed& o : seen)
    nat_->observed_by_member(trust::public_key_text(o.observer), o.observer_endpoint, o.mapped,
                             now);
}

std::vector<Candidate> MeshDaemon::candidates() const {
  std::vector<Candidate> out;
  auto add = [&](Candidate c) {
    base::Endpoint& e = c.endpoint;
    if (e.port == 0 && loop_) e.port = loop_->io().udp_port();
    if (options_.prefixes.v4.contains(e.address) || options_.prefixes.v6.contains(e.address))
      return;  // our own tunnel addresses
    if (out.size() < swim::kMaxEndpoints &&
        std::none_of(out.begin(), out.end(), [&](const Candidate& x) { return x.endpoint == e; }))
      out.push_back(c);
  };
  // What --announce says the node is reachable at, it does not say how: kUnknown.
  for (const base::Endpoint& e : options_.announce) add({e, swim::CandidateKind::kUnknown});
  if (nat_)
    for (const Candidate& c : nat_->candidates()) add(c);
  return out;
}

void MeshDaemon::update_keepalive(base::Instant now) {
  base::Duration want = nat_ && nat_->behind_nat() ? kNatKeepalive : base::Duration::zero();
  if (want == keepalive_ || options_.gossip_only || !loop_) return;
  keepalive_ = want;
  MW_LOG_INFO("persistent keepalive {} s on every peer ({})", want.to_millis() / 1000,
              want > base::Duration::zero() ? "behind a NAT" : "no NAT in front of the port");
  for (const auto& [id, entry] : peers_) {
    if (!entry.wg_key) continue;
    if (wg::Peer* p = loop_->engine().device().find_peer(*entry.wg_key))
      loop_->engine().device().set_persistent_keepalive(*p, keepalive_, now,
                                                        loop_->engine().output());
  }
}

void MeshDaemon::update_candidates(base::Instant now) {
  if (now < next_candidates_) return;
  next_candidates_ = now + kCandidateInterval;
  update_keepalive(now);
  std::vector<Candidate> c = candidates();
  if (membership_.set_announced(endpoints_of(c), kinds_of(c))) {
    std::string list;
    for (const Candidate& x : c)
      list += fmt::format("{}{} ({})", list.empty() ? "" : ", ", x.endpoint.to_string(),
                          swim::candidate_kind_name(x.kind));
    MW_LOG_INFO("announcing {} (incarnation {})", list.empty() ? "no endpoint" : list,
                membership_.incarnation());
  }
}

std::optional<control::NetcheckReport> MeshDaemon::netcheck() {
  if (!nat_) return std::nullopt;
  control::NetcheckReport r = nat_->report(base::SystemClock::instance().now());
  const std::vector<base::Endpoint>& endpoints = membership_.announced();
  const std::vector<swim::CandidateKind>& kinds = membership_.announced_kinds();
  for (size_t i = 0; i < endpoints.size(); ++i)
    r.announced.push_back(fmt::format(
        "{} ({})", endpoints[i].to_string(),
        swim::candidate_kind_name(i < kinds.size() ? kinds[i] : swim::CandidateKind::kUnknown)));
  return r;
}

base::Instant MeshDaemon::next_deadline() const {
  base::Instant d = std::min({membership_.next_deadline(), next_reauthorize_, next_candidates_});
  if (!unresolved_seeds_.empty()) d = std::min(d, next_seed_resolve_);
  if (seed_resolver_.busy()) d = std::min(d, next_seed_poll_);
  return d;
}

void MeshDaemon::on_tick(base::Instant now) {
  resolve_seeds(now);
  if (now >= next_reauthorize_) {
    // Certificates expire and delegations lapse while members stay up: judge everyone again.
    membership_.set_trust(options_.trust, wall_now());
    next_reauthorize_ = now + kReauthorizeInterval;
  }
  membership_.tick(now, wall_now(), *this);
  apply_events(now);
  forward_observed(now);
  update_candidates(now);
  if (membership_.incarnation() > persisted_incarnation_)
    persist_incarnation(membership_.incarnation());  // raised by a refutation
}

void MeshDaemon::on_signal(int signal, base::Instant) {
  if (os::is_hangup(signal)) reload_trust();
}

void MeshDaemon::reload_trust() {
  (void)os::notify_service_manager("RELOADING=1");
  if (!options_.reload_trust) return;
  auto store = options_.reload_trust();
  if (!store) {
    MW_LOG_ERROR("reload: {}; keeping the trust loaded before", store.error().message());
  } else {
    size_t before = membership_.alive_count();
    options_.trust = *store;
    membership_.set_trust(std::move(*store), wall_now());
    apply_events(base::SystemClock::instance().now());
    MW_LOG_INFO("reload: trust re-read; {} of {} alive members still admitted",
                membership_.alive_count(), before);
  }
  (void)os::notify_service_manager("READY=1");
}

void MeshDaemon::shutdown() {
  MW_LOG_INFO("stop requested through the control socket");
  stop_requested_ = true;
  if (loop_) loop_->stop();
}

void MeshDaemon::on_stop(base::Instant now) {
  (void)os::notify_service_manager("STOPPING=1");
  MW_LOG_INFO("leaving the mesh");
  membership_.leave(now, *this);
  if (!options_.gossip_only && loop_) {
    for (const auto& [id, entry] : peers_) {
      if (entry.wg_key) loop_->engine().device().remove_peer(*entry.wg_key);
    }
  }
  peers_.clear();
}

uint64_t MeshDaemon::load_incarnation() const {
  if (options_.state_file.empty() || !os::file_exists(options_.state_file)) return 0;
  auto text = os::read_file(options_.state_file, 256);
  uint64_t value = 0;
  if (text) {
    std::string_view t = *text;
    constexpr std::string_view kKey = "incarnation ";
    if (t.substr(0, kKey.size()) == kKey) {
      t.remove_prefix(kKey.size());
      while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.remove_suffix(1);
      auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
      if (ec == std::errc() && end == t.data() + t.size() && value < (uint64_t(1) << 32))
        return value;
    }
  }
  MW_LOG_WARN("{}: not a meshward state file (want \"incarnation N\"); ignoring it",
              options_.state_file);
  return 0;
}

void MeshDaemon::persist_incarnation(uint64_t incarnation) {
  persisted_incarnation_ = incarnation;
  if (options_.state_file.empty()) return;
  auto r = os::write_file_atomic(options_.state_file, fmt::format("incarnation {}\n", incarnation),
                                 0600);
  if (!r) MW_LOG_WARN("cannot save the incarnation: {}", r.error().message());
}

void MeshDaemon::send(const base::Endpoint& to, base::Bytes datagram) {
  if (loop_) loop_->engine().send_datagram(to, datagram);
}

}  // namespace mw::node
