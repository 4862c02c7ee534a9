// SPDX-License-Identifier: Apache-2.0
// How commands plug into the dispatcher: each command file adds its CLI11 subcommand and a
// function that runs it once the arguments are parsed.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

#include "cli/context.h"

namespace mw::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;
};
using Commands = std::vector<Command>;

void add_keygen(CLI::App& root, Context& ctx, Commands& out);
void add_export(CLI::App& root, Context& ctx, Commands& out);
void add_trust(CLI::App& root, Context& ctx, Commands& out);
void add_revoke(CLI::App& root, Context& ctx, Commands& out);
void add_config(CLI::App& root, Context& ctx, Commands& out);
void add_version(CLI::App& root, Context& ctx, Commands& out);
void add_org_keygen(CLI::App& root, Context& ctx, Commands& out);
void add_org_sign(CLI::App& root, Context& ctx, Commands& out);
void add_org_revoke(CLI::App& root, Context& ctx, Commands& out);
void add_org_vouch(CLI::App& root, Context& ctx, Commands& out);
void add_completion(CLI::App& root, Context& ctx, Commands& out);
void add_status(CLI::App& root, Context& ctx, Commands& out);
void add_peers(CLI::App& root, Context& ctx, Commands& out);
void add_down(CLI::App& root, Context& ctx, Commands& out);
void add_up(CLI::App& root, Context& ctx, Commands& out);
void add_netcheck(CLI::App& root, Context& ctx, Commands& out);

}  // namespace mw::cli
