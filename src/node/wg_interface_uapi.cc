// SPDX-License-Identifier: Apache-2.0
// WgInterface's UAPI sessions: accept clients on the unix socket, read requests to their empty
// line, parse them whole, answer gets from the device and apply sets (listen port and fwmark
// first, since only they can fail), and write replies without blocking.
#include "node/wg_interface_impl.h"

namespace mw::node::detail {

void Interface::accept_clients() {
  while (true) {
    base::UniqueFd fd = uapi_.accept();
    if (!fd.valid()) return;
    if (clients_.size() >= kMaxClients) continue;  // closes it
    uint64_t tag = next_client_tag_++;
    if (!io_->watch(fd.get(), tag, false, true)) continue;
    clients_[tag].fd = std::move(fd);
  }
}

void Interface::close_client(uint64_t tag) {
  auto it = clients_.find(tag);
  if (it == clients_.end()) return;
  io_->unwatch(it->second.fd.get());
  base::secure_wipe(it->second.out.data(), it->second.out.size());
  clients_.erase(it);
}

void Interface::on_client(uint64_t tag, bool readable, bool writable, bool error) {
  auto it = clients_.find(tag);
  if (it == clients_.end()) return;
  Client& c = it->second;
  bool alive = !error || readable;
  if (readable && !c.close_after_write) {
    alive = os::read_available(c.fd.get(), c.in, wg::uapi::kMaxRequestLen + 1);
    while (size_t end = wg::uapi::find_request_end(c.in)) {
      handle_request(c, std::string_view(c.in).substr(0, end));
      c.in.erase(0, end);
      if (c.close_after_write) break;
    }
    if (c.in.size() > wg::uapi::kMaxRequestLen) {
      c.out += wg::uapi::format_errno(wg::uapi::kErrnoTooBig);
      c.close_after_write = true;
    }
  }
  if (!c.out.empty() || writable) {
    if (!os::write_some(c.fd.get(), c.out)) alive = false;
  }
  if (!alive || (c.close_after_write && c.out.empty())) {
    close_client(tag);
    return;
  }
  if (!io_->rewatch(c.fd.get(), tag, !c.out.empty(), true)) close_client(tag);
}

void Interface::handle_request(Client& c, std::string_view text) {
  auto parsed = wg::uapi::parse_request(text);
  if (auto* err = std::get_if<wg::uapi::ParseError>(&parsed)) {
    MW_LOG_INFO("UAPI: refused request: {}", err->message);
    if (err->hang_up) {
      c.close_after_write = true;
      return;
    }
    c.out += wg::uapi::format_errno(err->errno_value);
    return;
  }
  auto& request = std::get<wg::uapi::Request>(parsed);
  if (std::holds_alternative<wg::uapi::GetRequest>(request)) {
    c.out += wg::uapi::format_get_response(device_status(device_, udp_.port, fwmark_));
    return;
  }
  int err = apply_set(std::get<wg::uapi::SetRequest>(request), clock_.now());
  c.out += wg::uapi::format_errno(err);
}

int Interface::apply_set(const wg::uapi::SetRequest& request, base::Instant now) {
  // The only steps that can fail come first, so that a failure changes nothing.
  uint32_t fwmark = request.fwmark.value_or(fwmark_);
  if (request.listen_port && *request.listen_port != udp_.port) {
    auto pair = os::bind_udp_pair(*request.listen_port, fwmark);
    if (!pair) {
      MW_LOG_INFO("UAPI: cannot listen on port {}: {}", *request.listen_port,
                  pair.error().message());
      return wg::uapi::kErrnoPortInUse;
    }
    if (udp_.v4) io_->unwatch(udp_.v4->fd());
    if (udp_.v6) io_->unwatch(udp_.v6->fd());
    udp_ = std::move(*pair);
    if (!register_sockets()) return wg::uapi::kErrnoIo;
    MW_LOG_INFO("listening on UDP port {}", udp_.port);
  } else if (fwmark != fwmark_) {
    for (auto* s : {udp_.v4 ? &*udp_.v4 : nullptr, udp_.v6 ? &*udp_.v6 : nullptr}) {
      if (s && !s->set_mark(fwmark)) return wg::uapi::kErrnoIo;
    }
  }
  fwmark_ = fwmark;
  apply_set_request(device_, request, now, *this);
  return wg::uapi::kErrnoOk;
}

}  // namespace mw::node::detail
