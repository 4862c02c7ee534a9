// SPDX-License-Identifier: Apache-2.0
// UapiServer: requests in, replies out, sets applied to the engine's port and device.
#include "node/uapi_server.h"

#include "base/clock.h"
#include "base/log.h"
#include "node/uapi_apply.h"

namespace mw::node {

UapiServer::UapiServer(EventLoop& loop, bool read_only) : loop_(loop), read_only_(read_only) {}

base::Result<std::unique_ptr<UapiServer>> UapiServer::start(EventLoop& loop,
                                                            const std::string& path,
                                                            bool read_only) {
  std::unique_ptr<UapiServer> s(new UapiServer(loop, read_only));
  auto listener = os::UnixListener::listen(path);
  if (!listener) return listener.error();
  s->listener_ = std::move(*listener);
  UapiServer* self = s.get();
  s->server_.emplace(
      "UAPI", wg::uapi::kMaxRequestLen,
      [self](std::string_view in, size_t scanned, std::string* reply, bool* hang_up) {
        return self->serve(in, scanned, reply, hang_up);
      },
      wg::uapi::format_errno(wg::uapi::kErrnoTooBig));
  MW_RETURN_IF_ERROR(
      s->server_->start(loop, s->listener_.fd(), [self] { return self->listener_.try_accept(); }));
  return s;
}

size_t UapiServer::serve(std::string_view in, size_t scanned, std::string* reply, bool* hang_up) {
  size_t end = wg::uapi::find_request_end(in, scanned);
  if (end == 0) return 0;
  auto parsed = wg::uapi::parse_request(in.substr(0, end));
  if (auto* err = std::get_if<wg::uapi::ParseError>(&parsed)) {
    MW_LOG_INFO("UAPI: refused request: {}", err->message);
    if (err->hang_up) {
      *hang_up = true;
    } else {
      *reply += wg::uapi::format_errno(err->errno_value);
    }
    return end;
  }
  auto& request = std::get<wg::uapi::Request>(parsed);
  if (std::holds_alternative<wg::uapi::GetRequest>(request)) {
    *reply += wg::uapi::format_get_response(
        device_status(loop_.engine().device(), loop_.io().udp_port(), fwmark_));
    return end;
  }
  if (read_only_) {
    MW_LOG_WARN(
        "UAPI: refused a set on {}: the mesh manages its peers and port (use meshward "
        "trust/revoke and meshward.toml; wg show still works)",
        loop_.io().tun_name());
    *reply += wg::uapi::format_errno(wg::uapi::kErrnoNotPermitted);
    return end;
  }
  *reply += wg::uapi::format_errno(apply_set(std::get<wg::uapi::SetRequest>(request)));
  return end;
}

int UapiServer::apply_set(const wg::uapi::SetRequest& request) {
  dp::PacketIo& io = loop_.io();
  // The only steps that can fail come first, so that a failure changes nothing.
  uint32_t fwmark = request.fwmark.value_or(fwmark_);
  if (request.listen_port && *request.listen_port != io.udp_port()) {
    if (auto r = io.rebind_udp(*request.listen_port, fwmark); !r) {
      MW_LOG_INFO("UAPI: cannot listen on port {}: {}", *request.listen_port, r.error().message());
      return wg::uapi::kErrnoPortInUse;
    }
    MW_LOG_INFO("listening on UDP port {}", io.udp_port());
  } else if (fwmark != fwmark_) {
    if (!io.set_fwmark(fwmark)) return wg::uapi::kErrnoIo;
  }
  fwmark_ = fwmark;
  dp::Engine& engine = loop_.engine();
  apply_set_request(engine.device(), request, base::SystemClock::instance().now(), engine.output());
  return wg::uapi::kErrnoOk;
}

}  // namespace mw::node
