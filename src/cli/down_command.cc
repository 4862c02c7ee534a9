// SPDX-License-Identifier: Apache-2.0
// `meshward down [--socket PATH]`: ask the running daemon to shut down.
#include <memory>
#include <optional>
#include <ostream>

#include "cli/command.h"
#include "cli/control_client.h"

namespace mw::cli {

void add_down(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("down", "stop the running daemon");
  auto socket = std::make_shared<std::optional<std::string>>();
  sub->add_option("--socket", *socket,
                  "the daemon's control socket (default: $MESHWARD_SOCKET, else "
                  "/run/meshward/meshward.sock)");
  out.push_back({sub, [&ctx, socket] {
                   auto path = control::control_socket_path(*socket);
                   if (!path) return fail(ctx, path.error().message());
                   auto response = call_daemon(*path, control::Command::kDown);
                   if (!response) return fail(ctx, response.error().message());
                   if (!response->stopping) return fail(ctx, "the daemon did not agree to stop");
                   *ctx.out << "meshward stopped\n";
                   return kExitOk;
                 }});
}

}  // namespace mw::cli
