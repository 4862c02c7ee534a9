// SPDX-License-Identifier: Apache-2.0
// Every drop a node's data path makes, by reason, in one walk: the device's (wg::DropReason),
// the engine's own, the I/O's and the loop's. The exit log and /metrics both read it.
#pragma once

#include <string_view>

#include "dataplane/engine.h"
#include "node/event_loop.h"

namespace mw::node {

// The data path's own drops (the engine's and the I/O's), each with its reason.
template <typename F>
void for_each_dataplane_drop(const dp::Engine& engine, F&& f) {
  const dp::EngineDrops& e = engine.drops();
  f("handshake_queue_full", e.handshake_queue_full);
  f("seal_failed", e.seal_failed);
  f("tun_read_malformed", e.tun_read_malformed);
  f("udp_receive_failed", e.udp_receive_failed);
  const dp::IoDrops& io = engine.io().drops();
  f("udp_send", io.udp_send);
  f("tun_write", io.tun_write);
}

// Every drop: the device's, the data path's and the loop's.
template <typename F>
void for_each_drop(const dp::Engine& engine, const LoopDrops& loop, F&& f) {
  const wg::DeviceStats& st = engine.device().stats();
  for (size_t r = 0; r < size_t(wg::DropReason::kCount); ++r)
    f(wg::drop_reason_name(wg::DropReason(r)), st.drop_counts[r]);
  for_each_dataplane_drop(engine, f);
  f("not_wireguard_or_mesh", loop.unclassified);
}

}  // namespace mw::node
