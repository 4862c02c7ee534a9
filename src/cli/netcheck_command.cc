// SPDX-License-Identifier: Apache-2.0
// `meshward netcheck [--json] [--socket PATH] [--stun host[:port]]... [--port N] [--timeout S]
// [--standalone]`: what the NATs in front of this host do. Asks the running daemon, whose view
// includes what mesh members see; without a daemon (or with --standalone) it probes the STUN
// servers itself from a UDP port of its own.
#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <ostream>

#include "cli/command.h"
#include "cli/config_store.h"
#include "cli/control_client.h"
#include "cli/stun_servers.h"
#include "control/status_json.h"

namespace mw::cli {
namespace {

struct NetcheckFlags {
  bool json = false;
  bool standalone = false;
  std::optional<std::string> socket;
  std::vector<std::string> stun;
  uint16_t port = 0;
  int timeout_s = 5;
};

void print_report(const Context& ctx, const control::NetcheckReport& r) {
  std::ostream& o = *ctx.out;
  auto list = [](const std::vector<std::string>& v) {
    if (v.empty()) return std::string("-");
    std::string s;
    for (const std::string& x : v) s += (s.empty() ? "" : ", ") + x;
    return s;
  };
  o << fmt::format("source:        {} (UDP port {})\n",
                   r.source == "daemon" ? "the running daemon" : "a one-off probe", r.port);
  o << fmt::format("mapping:       IPv4 {}, IPv6 {}\n", r.mapping_v4, r.mapping_v6);
  o << fmt::format("filtering:     IPv4 {}, IPv6 {}\n", r.filtering_v4, r.filtering_v6);
  o << fmt::format("hairpinning:   {}\n", r.hairpin);
  o << fmt::format("reflexive:     IPv4 {}; IPv6 {}\n", list(r.reflexive_v4), list(r.reflexive_v6));
  o << fmt::format("local:         {}\n", list(r.local));
  if (r.source == "daemon") o << fmt::format("announced:     {}\n", list(r.announced));
  const control::PortMappingReport& m = r.port_mapping;
  if (r.source == "daemon") {
    std::string line = m.status;
    if (m.status == "mapped")
      line = fmt::format("{} {} -> port {} (gateway {}, lease {:.0f} s left, {})", m.protocol,
                         m.external, r.port, m.gateway, m.lease_s,
                         m.verified ? "verified: announced" : "not verified: not announced");
    if (m.status == "failed" && !m.error.empty()) line += ": " + m.error;
    o << fmt::format("port mapping:  {}\n", line);
  }
  if (r.stun.empty()) {
    o << "STUN servers:  none configured\n";
  } else {
    o << "STUN servers:\n";
    for (const control::StunServerReport& s : r.stun) {
      std::string detail = s.status;
      if (!s.mapped.empty()) detail += ", saw " + s.mapped;
      if (s.rtt_ms) detail += fmt::format(", {:.1f} ms", *s.rtt_ms);
      if (s.error_code) detail += fmt::format(", error {}", s.error_code);
      if (!s.error.empty()) detail += ": " + s.error;
      o << fmt::format("  {} ({}): {}\n", s.server, s.address.empty() ? "-" : s.address, detail);
    }
  }
  size_t members = 0;
  for (const control::ObserverReport& x : r.observers) members += x.kind == "member";
  if (members > 0) {
    o << fmt::format("members:       {} reported our address:\n", members);
    for (const control::ObserverReport& x : r.observers)
      if (x.kind == "member")
        o << fmt::format("  {} at {}: saw {} ({:.0f} s ago)\n", x.observer.substr(0, 8), x.address,
                         x.mapped, x.age_s);
  }
}

int run_netcheck(const Context& ctx, const NetcheckFlags& flags) {
  if (flags.timeout_s < 1 || flags.timeout_s > 60)
    return fail(ctx, fmt::format("--timeout: expected 1..60 seconds, got {}", flags.timeout_s));
  std::optional<control::NetcheckReport> report;
  if (!flags.standalone) {
    auto socket = control::control_socket_path(flags.socket);
    if (!socket) return fail(ctx, socket.error().message());
    auto response = call_daemon(*socket, control::Command::kNetcheck);
    if (response) {
      if (!response->netcheck) return fail(ctx, "the daemon's answer has no netcheck report");
      report = std::move(*response->netcheck);
    } else if (response.error().sys_errno() != ENOENT &&
               response.error().sys_errno() != ECONNREFUSED) {
      return fail(ctx, response.error().message());
    }
  }
  if (!report) {
    // No daemon: probe from here, with the servers of the flags or of meshward.toml.
    ConfigStore store(ctx.config_dir);
    auto settings = store.load_settings();
    if (!settings) return fail(ctx, settings.error().message());
    auto stun =
        stun_servers(flags.stun, *settings ? (*settings)->stun : std::vector<std::string>{});
    if (!stun) return fail(ctx, stun.error().message());
    if (stun->empty())
      return fail(ctx,
                  "no daemon is running and no STUN server is configured: give --stun "
                  "host[:port] (or `stun = [...]` in meshward.toml), or run `meshward up`");
    if (!ctx.run_netcheck) return fail(ctx, "this build cannot probe without a daemon");
    auto probed = ctx.run_netcheck(
        NetcheckRequest{*stun, flags.port, base::Duration::seconds(flags.timeout_s)});
    if (!probed) return fail(ctx, probed.error().message());
    report = std::move(*probed);
  }
  if (flags.json) {
    *ctx.out << control::dump_json(control::netcheck_to_json(*report), 2) << "\n";
  } else {
    print_report(ctx, *report);
  }
  // A probe of its own that no server answered learnt nothing: say so, and let scripts see it.
  // (A daemon's view stands on members' reports too, so its answer is the report.)
  if (report->source == "standalone" &&
      std::none_of(report->stun.begin(), report->stun.end(),
                   [](const control::StunServerReport& s) { return s.status == "ok"; }))
    return fail(ctx, fmt::format("no STUN server answered within {} s", flags.timeout_s));
  return kExitOk;
}

}  // namespace

void add_netcheck(CLI::App& root, Context& ctx, Commands& out) {
  auto flags = std::make_shared<NetcheckFlags>();
  auto* sub = root.add_subcommand(
      "netcheck",
      "Show what the NATs in front of this host do: the mapping (endpoint-independent or\n"
      "-dependent, per IP family), the filtering (told by a STUN server with a second address),\n"
      "hairpinning, the reflexive addresses and each STUN server's answer and latency. Asks the\n"
      "running daemon (whose view includes what mesh members see); without one, probes the STUN\n"
      "servers from a UDP port of its own, and exits 1 when none of them answered.");
  sub->add_flag("--json", flags->json, "print JSON instead of text");
  sub->add_option("--socket", flags->socket,
                  "the daemon's control socket (default: $MESHWARD_SOCKET, else "
                  "/run/meshward/meshward.sock)");
  sub->add_flag("--standalone", flags->standalone,
                "probe from this process even when a daemon is running");
  sub->add_option("--stun", flags->stun,
                  "STUN server for the probe without a daemon, host[:port] (repeatable; "
                  "default: meshward.toml's `stun`)");
  sub->add_option("--port", flags->port, "local UDP port of the probe (default: any free one)");
  sub->add_option("--timeout", flags->timeout_s, "give up on the probe after S seconds (1..60)")
      ->default_val(5);
  out.push_back({sub, [&ctx, flags] { return run_netcheck(ctx, *flags); }});
}

}  // namespace mw::cli
