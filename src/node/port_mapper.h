// SPDX-License-Identifier: Apache-2.0
// PortMapper: asks the gateway for an inbound mapping of the node's UDP port (UPnP-IGD, then
// NAT-PMP, then PCP; the first that works is kept), so that peers behind any NAT can reach a
// node behind a filtering one directly. A subsystem of the loop: the blocking attempts run on a
// thread of their own (one at a time), the loop collects their outcome when it next looks. The
// lease is renewed at half its lifetime, failures are retried with back-off (nat::LeaseSchedule),
// and the mapping is deleted at exit (waiting at most stop_wait). The mapped address is offered
// as a candidate only once its IP is one NatService saw us at (STUN or members): a gateway
// behind another NAT maps an address nobody outside can reach. Single-threaded: the loop's.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "control/metrics.h"
#include "control/netcheck.h"
#include "nat/port_mapping.h"
#include "node/event_loop.h"
#include "node/nat_service.h"
#include "node/port_mapping_client.h"

namespace mw::node {

struct PortMapperOptions {
  // Tried in this order; the first that works is kept. Empty: port mapping is off.
  std::vector<nat::MappingProtocol> protocols = {
      nat::MappingProtocol::kUpnp, nat::MappingProtocol::kNatPmp, nat::MappingProtocol::kPcp};
  base::Duration lifetime = base::Duration::seconds(7200);  // asked for
  nat::LeaseConfig lease;
  base::Duration stop_wait = base::Duration::seconds(1);  // for the deletion at exit
};

// "auto" (UPnP, NAT-PMP, PCP), "upnp", "natpmp", "pcp" or "off" (none): the protocols to try.
std::optional<std::vector<nat::MappingProtocol>> port_mapping_protocols(std::string_view mode);

class PortMapper final : public Subsystem {
 public:
  // `nat` (which outlives this) supplies the reflexive addresses that verify a mapping and
  // takes the verified one as its first candidate.
  PortMapper(PortMapperOptions options, std::shared_ptr<MappingClient> client, NatService& nat);
  // Never waits for an attempt in flight: its thread is left to finish on its own.
  ~PortMapper() override;
  PortMapper(const PortMapper&) = delete;
  PortMapper& operator=(const PortMapper&) = delete;

  // Joins `loop` (which outlives this); the first attempt starts at the first tick.
  void start(EventLoop& loop, base::Instant now);

  // Subsystem
  base::Instant next_deadline() const override;
  void on_tick(base::Instant now) override;
  void on_stop(base::Instant now) override;  // deletes the mapping (bounded by stop_wait)

  // The mapped endpoint, once verified against the reflexive addresses.
  std::optional<base::Endpoint> verified() const;
  const std::optional<nat::PortMapping>& mapping() const { return mapping_; }
  nat::MappingCheck check() const;
  bool busy() const { return job_ != nullptr; }
  control::PortMappingReport report(base::Instant now) const;
  void write_metrics(control::MetricsWriter& w) const;

 private:
  // One attempt: each protocol in turn until one grants a mapping.
  struct Job {
    std::mutex mutex;
    std::optional<nat::PortMapping> granted;
    std::vector<std::pair<nat::MappingProtocol, std::string>> failures;
    // The mapping the grant replaced (another protocol or address), deleted on the way; the
    // deletion's error, "" when the gateway confirmed it.
    std::optional<nat::PortMapping> replaced;
    std::string replace_error;
    std::atomic<bool> done{false};
  };
  void begin_attempt(base::Instant now);
  void finish_attempt(base::Instant now);
  void note_check();
  void join_finished();

  PortMapperOptions options_;
  std::shared_ptr<MappingClient> client_;
  NatService& nat_;
  EventLoop* loop_ = nullptr;
  nat::LeaseSchedule schedule_;
  std::optional<nat::PortMapping> mapping_;
  std::optional<nat::MappingProtocol> kept_;
  std::shared_ptr<Job> job_;
  std::thread thread_;
  base::Instant next_poll_ = base::Instant::max();
  nat::MappingCheck logged_check_ = nat::MappingCheck::kUnknown;
  std::string last_error_;
  std::string last_gateway_;

  struct Counts {
    uint64_t attempts = 0, failures = 0;
  };
  Counts counts_[4];  // by nat::MappingProtocol
};

}  // namespace mw::node
