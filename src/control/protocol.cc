// SPDX-License-Identifier: Apache-2.0
// Control protocol requests and responses: one JSON object per line, strict on what the daemon
// accepts, tolerant of fields a newer daemon adds to its answers.
#include "control/protocol.h"

#include <cstdlib>

#include "control/json_fields.h"
#include "control/status_json.h"

namespace mw::control {
namespace {

using nlohmann::json;

// Drops one trailing "\n" or "\r\n"; any other line break means more than one line.
base::Result<std::string_view> one_line(std::string_view line, std::string_view what) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  if (line.find_first_of("\r\n") != std::string_view::npos)
    return base::make_error("{} must be a single line", what);
  return line;
}

base::Result<json> parse_object(std::string_view text, std::string_view what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return base::make_error("{} is not valid JSON", what);
  if (!j.is_object()) return base::make_error("{} must be a JSON object", what);
  return j;
}

std::optional<Command> parse_command(std::string_view name) {
  for (Command c : {Command::kStatus, Command::kPeers, Command::kDown, Command::kNetcheck})
    if (command_name(c) == name) return c;
  return std::nullopt;
}

}  // namespace

std::string default_socket_path() {
  const char* env = std::getenv("MESHWARD_SOCKET");
  if (env && *env) return env;
  return "/run/meshward/meshward.sock";
}

base::Result<std::string> control_socket_path(const std::optional<std::string>& flag) {
  if (flag) {
    if (flag->empty())
      return base::make_error(
          "--socket: an empty path; give the control socket's path, or "
          "leave the flag out for {}",
          default_socket_path());
    return *flag;
  }
  const char* env = std::getenv("MESHWARD_SOCKET");
  if (env && !*env)
    return base::Error(
        "MESHWARD_SOCKET is set but empty; unset it or set it to the control socket's path");
  return default_socket_path();
}

std::string_view command_name(Command command) {
  switch (command) {
    case Command::kStatus: return "status";
    case Command::kPeers: return "peers";
    case Command::kDown: return "down";
    case Command::kNetcheck: return "netcheck";
  }
  return "unknown";
}

std::string encode_request(const Request& request) {
  json j = {{"version", request.version}, {"command", command_name(request.command)}};
  return dump_json(j) + "\n";
}

base::Result<Request> decode_request(std::string_view line) {
  if (line.size() > kMaxRequestLen + 2)  // room for the "\r\n" that one_line drops
    return base::make_error("request too long ({} bytes; the limit is {})", line.size(),
                            kMaxRequestLen);
  auto text = one_line(line, "request");
  if (!text) return text.error();
  if (text->size() > kMaxRequestLen)
    return base::make_error("request too long ({} bytes; the limit is {})", text->size(),
                            kMaxRequestLen);
  auto j = parse_object(*text, "request");
  if (!j) return j.error();
  for (const auto& [key, value] : j->items()) {
    if (key != "version" && key != "command")
      return base::make_error("unknown field {} in request", dump_json(json(key)));
  }
  JsonFields f(*j, "");
  const json* version = f.find("version");
  if (!version) return base::make_error("request has no \"version\"");
  Request request;
  f.read("version", request.version);
  if (f.error()) return *f.error();
  if (request.version != kProtocolVersion)
    return base::make_error("daemon speaks control protocol {}, client sent {}", kProtocolVersion,
                            request.version);
  const json* command = f.find("command");
  if (!command) return base::make_error("request has no \"command\"");
  if (!command->is_string()) return base::make_error("command: expected a string");
  const auto& name = command->get_ref<const std::string&>();
  auto parsed = parse_command(name);
  if (!parsed)
    return base::make_error("unknown command {} (known: status, peers, down, netcheck)",
                            dump_json(json(name)));
  request.command = *parsed;
  return request;
}

std::string encode_response(const Response& response) {
  json j = {{"version", kProtocolVersion}, {"ok", response.ok}};
  if (!response.ok) j["error"] = response.error;
  if (response.status) j["status"] = status_to_json(*response.status);
  if (response.stopping) j["stopping"] = true;
  if (response.netcheck) j["netcheck"] = netcheck_to_json(*response.netcheck);
  return dump_json(j) + "\n";
}

base::Result<Response> decode_response(std::string_view line) {
  if (line.size() > kMaxResponseLen + 2)
    return base::make_error("response too long ({} bytes; the limit is {})", line.size(),
                            kMaxResponseLen);
  auto text = one_line(line, "response");
  if (!text) return text.error();
  auto j = parse_object(*text, "response");
  if (!j) return j.error();
  JsonFields f(*j, "");
  if (!f.find("version")) return base::make_error("response has no \"version\"");
  if (!f.find("ok")) return base::make_error("response has no \"ok\"");
  int version = 0;
  Response response;
  f.read("version", version);
  f.read("ok", response.ok);
  f.read("error", response.error);
  f.read("stopping", response.stopping);
  if (f.error()) return *f.error();
  if (!response.ok) {
    if (response.error.empty()) return base::make_error("daemon refused without saying why");
    // An error from a daemon of any version is still its answer.
    if (version != kProtocolVersion) return response;
  } else if (!response.error.empty()) {
    return base::make_error("response has \"ok\": true and an error");
  }
  if (version != kProtocolVersion)
    return base::make_error("daemon speaks control protocol {}, this client speaks {}", version,
                            kProtocolVersion);
  if (const json* status = f.find("status")) {
    auto s = status_from_json(*status);
    if (!s) return s.error();
    response.status = std::move(*s);
  }
  if (const json* netcheck = f.find("netcheck")) {
    auto n = netcheck_from_json(*netcheck);
    if (!n) return n.error();
    response.netcheck = std::move(*n);
  }
  return response;
}

}  // namespace mw::control
