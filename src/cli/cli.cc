// SPDX-License-Identifier: Apache-2.0
// The dispatcher: builds the CLI11 command tree, parses, and runs the chosen command.
#include "cli/cli.h"

#include <fmt/format.h>

#include <iostream>

#include "base/clock.h"
#include "cli/command.h"
#include "cli/config_dir.h"
#include "os/file.h"

namespace mw::cli {
namespace {

// CLI11 reports parse errors (and --help) by exception; this is the one place they are caught.
// Returns -1 when the arguments parsed, else the exit code (0 for --help, 2 for usage errors).
int parse(CLI::App& app, const std::vector<std::string>& args, const Context& ctx) {
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(int(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e, *ctx.out, *ctx.err);
    return rc == 0 ? kExitOk : kExitUsage;
  }
  return -1;
}

}  // namespace

int fail(const Context& ctx, std::string_view message) {
  *ctx.err << "error: " << message << "\n";
  return kExitError;
}

int run(const std::vector<std::string>& args, Context& ctx) {
  CLI::App app{
      "meshward: a decentralized mesh VPN that speaks WireGuard.\n"
      "Config directory: $MESHWARD_CONFIG_DIR, else /etc/meshward for root, else\n"
      "$XDG_CONFIG_HOME/meshward or ~/.config/meshward."};
  app.name("meshward");
  app.require_subcommand(1);
  app.set_version_flag("--version", fmt::format("meshward {}", kVersion));
  Commands commands;
  add_keygen(app, ctx, commands);
  add_export(app, ctx, commands);
  add_trust(app, ctx, commands);
  add_revoke(app, ctx, commands);
  add_config(app, ctx, commands);
  add_org_keygen(app, ctx, commands);
  add_org_sign(app, ctx, commands);
  add_org_revoke(app, ctx, commands);
  add_org_vouch(app, ctx, commands);
  add_up(app, ctx, commands);
  add_netcheck(app, ctx, commands);
  add_completion(app, ctx, commands);
  add_status(app, ctx, commands);
  add_peers(app, ctx, commands);
  add_down(app, ctx, commands);
  add_version(app, ctx, commands);
  int rc = parse(app, args, ctx);
  if (rc >= 0) return rc;
  for (const Command& c : commands)
    if (c.app->parsed()) return c.run();
  return fail(ctx, "no command given; see meshward --help");
}

int main_entry(int argc, char** argv, UpRunner run_up, NetcheckRunner run_netcheck) {
  std::vector<std::string> args(argv, argv + argc);
  Context ctx{};
  ctx.out = &std::cout;
  ctx.err = &std::cerr;
  ctx.in = &std::cin;
  ctx.interactive = os::stdin_is_terminal();
  ctx.now = base::SystemClock::instance().wall();
  ctx.run_up = std::move(run_up);
  ctx.run_netcheck = std::move(run_netcheck);
  auto dir = default_config_dir();
  if (!dir) return fail(ctx, dir.error().message());
  ctx.config_dir = *dir;
  return run(args, ctx);
}

}  // namespace mw::cli
