// SPDX-License-Identifier: Apache-2.0
// One control request over the unix socket, answered or explained.
#include "cli/control_client.h"

#include "os/unix_socket.h"

namespace mw::cli {

base::Result<control::Response> call_daemon(const std::string& socket_path,
                                            control::Command command) {
  std::string request = control::encode_request({control::kProtocolVersion, command});
  auto line = os::unix_request(socket_path, request, kControlTimeout, control::kMaxResponseLen);
  if (!line) return line.error();
  auto response = control::decode_response(*line);
  if (!response)
    return base::make_error("bad answer from {}: {}", socket_path, response.error().message());
  if (!response->ok) return base::Error(response->error);
  return response;
}

}  // namespace mw::cli
