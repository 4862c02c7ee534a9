// SPDX-License-Identifier: Apache-2.0
// UapiServer: the wg(8) UAPI socket of an interface (/var/run/wireguard/<name>.sock), served
// by a session RequestServer on the node's loop: requests are read to their empty line, parsed
// whole, gets are answered from the engine's device and sets applied (listen port and fwmark
// first, since only they can fail, so a failure changes nothing).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "dataplane/engine.h"
#include "node/event_loop.h"
#include "node/request_server.h"
#include "os/unix_socket.h"
#include "wireguard/uapi.h"

namespace mw::node {

class UapiServer {
 public:
  // Listens on `path` and joins `loop`. `read_only`: sets are refused with EPERM (and a log
  // line saying who owns the interface); gets are answered.
  static base::Result<std::unique_ptr<UapiServer>> start(EventLoop& loop, const std::string& path,
                                                         bool read_only = false);
  const std::string& path() const { return listener_.path(); }
  // Answers the complete request at the start of `in` (whose first `scanned` bytes hold no
  // request end); returns the bytes taken.
  size_t serve(std::string_view in, size_t scanned, std::string* reply, bool* hang_up);

 private:
  UapiServer(EventLoop& loop, bool read_only);
  int apply_set(const wg::uapi::SetRequest& request);

  EventLoop& loop_;
  os::UnixListener listener_;
  std::optional<RequestServer> server_;
  uint32_t fwmark_ = 0;
  bool read_only_;
};

}  // namespace mw::node
