// SPDX-License-Identifier: Apache-2.0
// serve(): one control request in, one response line out.
#include "control/protocol.h"

namespace mw::control {
namespace {

std::string refuse(std::string message) {
  Response r;
  r.ok = false;
  r.error = std::move(message);
  return encode_response(r);
}

}  // namespace

bool authorized(Command command, const Caller& caller, uint32_t daemon_uid) {
  switch (command) {
    case Command::kStatus:
    case Command::kPeers:
    case Command::kDown:
    case Command::kNetcheck: return caller.uid == 0 || caller.uid == daemon_uid;
  }
  return false;
}

std::string serve(std::string_view request_line, const Caller& caller, uint32_t daemon_uid,
                  Handler& handler) {
  auto request = decode_request(request_line);
  if (!request) return refuse(request.error().message());
  if (!authorized(request->command, caller, daemon_uid))
    return refuse(fmt::format("permission denied: uid {}", caller.uid));
  Response response;
  switch (request->command) {
    case Command::kStatus:
    case Command::kPeers: response.status = handler.status(); break;
    case Command::kDown:
      handler.shutdown();
      response.stopping = true;
      break;
    case Command::kNetcheck:
      response.netcheck = handler.netcheck();
      if (!response.netcheck) return refuse("this daemon does not run NAT checks");
      break;
  }
  std::string line = encode_response(response);
  if (line.size() > kMaxResponseLen)
    return refuse(fmt::format("status too large to send ({} bytes; the limit is {})", line.size(),
                              kMaxResponseLen));
  return line;
}

}  // namespace mw::control
