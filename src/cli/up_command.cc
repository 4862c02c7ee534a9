// SPDX-License-Identifier: Apache-2.0
// `meshward up`: gathers the node's identity, trust, certificate and settings (flags win over
// meshward.toml, whose values win over the defaults), checks them, and runs the mesh daemon in
// the foreground until SIGINT/SIGTERM or `meshward down`. SIGHUP re-reads the trust files.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "base/log.h"
#include "cli/command.h"
#include "cli/config_store.h"
#include "cli/data_path_flags.h"
#include "cli/stun_servers.h"
#include "control/protocol.h"

namespace mw::cli {
namespace {

struct UpFlags {
  std::vector<std::string> seeds;
  std::optional<uint16_t> port;
  std::optional<std::string> interface;
  std::vector<std::string> announce;
  std::vector<std::string> stun;
  std::optional<std::string> port_mapping;
  bool open = false;
  bool gossip_only = false;
  std::optional<std::string> metrics;
  std::optional<std::string> config_file;
  std::optional<std::string> socket;
  DataPathFlags data_path;
};

// "ip" or "ip:port" / "[v6]:port"; port 0 means the listening port.
std::optional<base::Endpoint> parse_announce(std::string_view text) {
  if (auto e = base::Endpoint::parse(text)) return e;
  std::string_view bare = text;
  if (bare.size() > 2 && bare.front() == '[' && bare.back() == ']')
    bare = bare.substr(1, bare.size() - 2);
  if (auto ip = base::IpAddress::parse(bare)) return base::Endpoint{*ip, 0};
  return std::nullopt;
}

bool valid_interface_name(std::string_view name) {
  if (name.empty() || name.size() > 15) return false;
  for (char c : name)
    if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '%') return false;
  return name != "." && name != "..";
}

int run_up(const Context& ctx, const UpFlags& flags) {
  ConfigStore store(ctx.config_dir);
  if (!store.has_identity())
    return fail(ctx, fmt::format("no identity in {}; run `meshward keygen` first", store.dir()));
  auto identity = store.load_identity();
  if (!identity) return fail(ctx, identity.error().message());

  trust::UpSettings settings;
  std::string settings_file = store.path("meshward.toml");
  if (flags.config_file) {
    settings_file = *flags.config_file;
    auto loaded = load_settings_file(settings_file);
    if (!loaded) return fail(ctx, loaded.error().message());
    settings = *loaded;
  } else {
    auto loaded = store.load_settings();
    if (!loaded) return fail(ctx, loaded.error().message());
    if (*loaded) settings = **loaded;
  }
  auto prefixes = prefixes_from_settings(settings, settings_file);
  if (!prefixes) return fail(ctx, prefixes.error().message());

  UpRequest req;
  req.identity = *identity;
  req.prefixes = *prefixes;
  req.port = flags.port.value_or(settings.port.value_or(51821));
  if (req.port == 0) return fail(ctx, "--port: must be 1..65535");
  req.interface = flags.interface.value_or(settings.interface.value_or("mw0"));
  if (!valid_interface_name(req.interface))
    return fail(ctx, fmt::format("--interface: '{}' is not a valid interface name (1..15 "
                                 "characters, no '/', ':' or spaces)",
                                 req.interface));
  bool open = flags.open || settings.open.value_or(false);
  req.gossip_only = flags.gossip_only || settings.gossip_only.value_or(false);

  std::vector<std::string> announce = flags.announce;
  if (announce.empty() && settings.announce) announce.push_back(*settings.announce);
  for (const std::string& a : announce) {
    auto e = parse_announce(a);
    if (!e) return fail(ctx, fmt::format("--announce: '{}' is not ip or ip:port", a));
    req.announce.push_back(*e);
  }
  if (req.announce.size() > 4) return fail(ctx, "--announce: at most 4 endpoints");

  auto stun = stun_servers(flags.stun, settings.stun);
  if (!stun) return fail(ctx, stun.error().message());
  req.stun = std::move(*stun);
  req.port_mapping = flags.port_mapping.value_or(settings.port_mapping.value_or("auto"));
  if (req.port_mapping != "auto" && req.port_mapping != "upnp" && req.port_mapping != "natpmp" &&
      req.port_mapping != "pcp" && req.port_mapping != "off")
    return fail(ctx, fmt::format("--port-mapping: '{}' is not auto, upnp, natpmp, pcp or off",
                                 req.port_mapping));

  std::optional<std::string> metrics = flags.metrics ? flags.metrics : settings.metrics;
  if (metrics) {
    auto e = base::Endpoint::parse(*metrics);
    if (!e || e->port == 0)
      return fail(ctx,
                  fmt::format("--metrics: '{}' is not ip:port (e.g. 127.0.0.1:9474)", *metrics));
    req.metrics = *e;
  }

  req.seeds = flags.seeds.empty() ? settings.seeds : flags.seeds;
  auto saved = store.load_seeds();
  if (!saved) return fail(ctx, saved.error().message());
  for (const auto& s : *saved)
    if (std::find(req.seeds.begin(), req.seeds.end(), s) == req.seeds.end()) req.seeds.push_back(s);

  // A bad key file is skipped with a warning: refusing to start over it would put a node under
  // systemd into a restart loop (a reload skips it alike).
  std::vector<std::string> skipped;
  auto trust_store = store.load_trust_store(identity->public_key, open, &skipped);
  if (!trust_store) return fail(ctx, trust_store.error().message());
  for (const std::string& why : skipped) *ctx.err << "warning: skipping " << why << "\n";
  bool trusts_nobody =
      !open && trust_store->authorized_keys().empty() && trust_store->trusted_orgs().empty();
  req.trust = std::move(*trust_store);
  auto cert = store.load_node_certificate();
  if (!cert) return fail(ctx, cert.error().message());
  req.certificate = *cert;

  auto control_socket = control::control_socket_path(flags.socket);
  if (!control_socket) return fail(ctx, control_socket.error().message());
  req.control_socket = *control_socket;
  req.state_file = store.path("state");
  auto data_path = resolve_data_path(flags.data_path);
  if (!data_path) return fail(ctx, data_path.error().message());
  req.data_path = *data_path;
  trust::PublicKey self = identity->public_key;
  std::string dir = store.dir();
  req.reload_trust = [dir, self, open]() {
    std::vector<std::string> skipped;
    auto store = ConfigStore(dir).load_trust_store(self, open, &skipped);
    for (const std::string& why : skipped) MW_LOG_WARN("reload: skipping {}", why);
    return store;
  };

  if (trusts_nobody)
    *ctx.err << "warning: " << store.dir()
             << " trusts no node and no org (authorized_keys/ and trusted_orgs/ are empty): this "
                "node admits no member; give it each peer's key with `meshward trust <key>` (the "
                "peer prints it with `meshward export`), or an org's with `meshward trust --org "
                "<key>`\n";
  if (!ctx.run_up) return fail(ctx, "this build cannot run the daemon");
  return ctx.run_up(std::move(req));
}

}  // namespace

void add_up(CLI::App& root, Context& ctx, Commands& out) {
  auto flags = std::make_shared<UpFlags>();
  CLI::App* up = root.add_subcommand(
      "up",
      "Run the mesh node in the foreground: join through the seeds, admit trusted members, and\n"
      "carry traffic to their derived addresses over WireGuard tunnels. Settings come from the\n"
      "flags, then meshward.toml (or --config), then the defaults. SIGHUP re-reads the trust\n"
      "files; SIGINT/SIGTERM or `meshward down` leave the mesh gracefully.");
  up->add_option("--seed", flags->seeds,
                 "A member to join through, host:port (repeatable; the `seeds` file adds more)");
  up->add_option("--port", flags->port, "UDP port for WireGuard and the mesh (default 51821)");
  up->add_option("--interface", flags->interface, "TUN interface name (default mw0)");
  up->add_option("--announce", flags->announce,
                 "ip[:port] to put in this node's signed claim, for members that cannot see "
                 "where it is (repeatable, at most 4)");
  up->add_option("--stun", flags->stun,
                 "A STUN server, host[:port] (port 3478), to learn this node's public address "
                 "from (repeatable; `none` for no STUN server; default: meshward.toml's `stun`, "
                 "else none: members tell each other what they see)");
  up->add_option("--port-mapping", flags->port_mapping,
                 "Ask the router for an inbound mapping of the port, so that peers behind any "
                 "NAT reach this node directly: auto (UPnP-IGD, then NAT-PMP, then PCP), upnp, "
                 "natpmp, pcp or off (default: meshward.toml's `port_mapping`, else auto)");
  up->add_flag("--open", flags->open, "Admit every node (no trust checks): for tests only");
  up->add_flag("--gossip-only", flags->gossip_only,
               "Take part in membership only: no TUN, no tunnels (a seed or rendezvous node)");
  up->add_option("--metrics", flags->metrics,
                 "Serve Prometheus metrics on http://ADDRESS:PORT/metrics (e.g. 127.0.0.1:9474)");
  up->add_option("--config", flags->config_file,
                 "Settings file (default <config dir>/meshward.toml)");
  up->add_option("--socket", flags->socket,
                 "Control socket (default $MESHWARD_SOCKET, else /run/meshward/meshward.sock)");
  add_data_path_flags(*up, flags->data_path);
  out.push_back({up, [&ctx, flags] { return run_up(ctx, *flags); }});
}

}  // namespace mw::cli
