// SPDX-License-Identifier: Apache-2.0
// WgInterface: probe the TUN offloads, open the kernel ports, start the engine, the loop and
// the UAPI socket; run; say at exit what was dropped and why.
#include "node/wg_interface.h"

#include <fmt/format.h>

#include "base/check.h"
#include "base/clock.h"
#include "base/log.h"
#include "node/crypto_startup.h"
#include "node/drop_counters.h"
#include "node/tun_offload_probe.h"
#include "os/process.h"

namespace mw::node {

WgInterface::~WgInterface() = default;

base::Result<std::unique_ptr<WgInterface>> WgInterface::create(const WgInterfaceOptions& options) {
  std::unique_ptr<WgInterface> w(new WgInterface());
  w->options_ = options;
  const DataPathOptions& dpo = options.data_path;
  dp::KernelIoOptions io;
  io.tun = options.tun;
  io.tun_name = options.name;
  io.mtu = options.mtu;
  if (options.tun && dpo.tun_offload) {
    TunOffloadChoice choice = probe_tun_offloads(options.mtu);
    MW_LOG_INFO("TUN offload probe: {}", choice.note);
    io.tun_offloads = choice.offloads;
  }
  io.listen_port = options.listen_port;
  io.udp_gso = dpo.udp_gso;
  io.udp_gro = dpo.udp_gro;
  io.io = dpo.io;
  auto kernel = dp::KernelIo::open(io);
  if (!kernel) return kernel.error();
  w->io_ = std::move(*kernel);

  // Signals are blocked (and taken from a signalfd) before the engine starts its threads.
  auto signals = os::make_signal_fd();
  if (!signals) return signals.error();
  base::SystemClock& clock = base::SystemClock::instance();
  wg::DeviceConfig config;
  config.mtu = size_t(options.mtu);
  config.wall_offset_nanos = clock.wall().unix_nanos - clock.now().to_nanos();
  w->engine_ = std::make_unique<dp::Engine>(*w->io_, dp::EngineOptions{dpo.crypto_workers},
                                            std::move(config));
  w->paths_ = std::make_unique<PathManager>(*w->engine_);
  auto loop = EventLoop::create(*w->io_, *w->engine_);
  if (!loop) return loop.error();
  w->loop_ = std::move(*loop);
  w->loop_->set_busy_poll(dpo.busy_poll);
  MW_RETURN_IF_ERROR(w->loop_->watch_signals(std::move(*signals)));
  if (options.uapi && options.tun) {
    auto uapi = UapiServer::start(
        *w->loop_, options.socket_dir + "/" + w->io_->tun_name() + ".sock", options.uapi_read_only);
    if (!uapi) return uapi.error();
    w->uapi_ = std::move(*uapi);
  }
  if (options.tun) {
    MW_LOG_INFO("interface {} is up: UDP port {}{}; data path: {}", w->io_->tun_name(),
                w->io_->udp_port(), w->uapi_ ? ", UAPI " + w->uapi_->path() : std::string(),
                w->data_path());
  } else {
    MW_LOG_INFO("no interface (gossip only): UDP port {}; I/O: {}", w->io_->udp_port(),
                w->io_->name());
  }
  return w;
}

const std::string& WgInterface::socket_path() const {
  static const std::string kNone;
  return uapi_ ? uapi_->path() : kNone;
}

std::string WgInterface::data_path() const {
  const base::Duration spin = options_.data_path.busy_poll;
  std::string busy = spin > base::Duration::zero()
                         ? fmt::format(", busy poll {} us", spin.to_micros())
                         : std::string();
  return fmt::format("{} ({}){}", engine_->data_path(), crypto_cpu_path(), busy);
}

base::Result<void> WgInterface::run() {
  auto r = loop_->run(base::SystemClock::instance());
  log_counters();
  return r;
}

void WgInterface::log_counters() const {
  const wg::DeviceStats& st = engine_->device().stats();
  std::string drops;
  for_each_drop(*engine_, loop_->drops(), [&drops](std::string_view reason, uint64_t n) {
    if (n != 0) drops += fmt::format(" {}={}", reason, n);
  });
  if (base::bug_count() != 0) drops += fmt::format(" internal_errors={}", base::bug_count());
  MW_LOG_INFO("{}: {} handshakes, {} cookie replies sent; dropped:{}",
              io_->has_tun() ? io_->tun_name() : std::string("no interface"),
              st.handshakes_completed, st.cookie_replies_sent, drops.empty() ? " none" : drops);
}

}  // namespace mw::node
