// SPDX-License-Identifier: Apache-2.0
// `meshward config show [--json]`: what the config directory holds and what it means: identity
// and derived addresses, this node's certificate explained, the org, trusted peers and orgs,
// signed records, and meshward.toml. Reads only; never creates anything.
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "base/encoding.h"
#include "cli/command.h"
#include "cli/config_store.h"
#include "cli/dates.h"
#include "trust/address.h"

namespace mw::cli {
namespace {

using nlohmann::json;

// Collects the whole picture as JSON; the text form is rendered from it.
json collect(const Context& ctx) {
  ConfigStore store(ctx.config_dir);
  json j;
  j["config_dir"] = store.dir();
  std::vector<std::string> problems;
  auto configured = store.mesh_prefixes();
  if (!configured) problems.push_back(configured.error().message());
  trust::MeshPrefixes prefixes = configured ? *configured : trust::MeshPrefixes::defaults();
  j["mesh_prefixes"] = {{"ipv6", prefixes.v6.to_string()}, {"ipv4", prefixes.v4.to_string()}};

  std::optional<trust::Identity> id;
  if (store.has_identity()) {
    auto loaded = store.load_identity();
    if (loaded) {
      id = *loaded;
    } else {
      problems.push_back(loaded.error().message());
    }
  }
  if (id) {
    auto wg = trust::wireguard_public_key(id->public_key);
    j["identity"] = {{"public_key", trust::public_key_text(id->public_key)},
                     {"wireguard_public_key", wg ? base::base64_encode(*wg) : ""},
                     {"mesh_ipv4", trust::mesh_ipv4(id->public_key, prefixes).to_string()},
                     {"mesh_ipv6", trust::mesh_ipv6(id->public_key, prefixes).to_string()}};
  } else {
    j["identity"] = nullptr;
  }

  auto cert = store.load_node_certificate();
  if (!cert) {
    problems.push_back(cert.error().message());
  } else if (*cert) {
    const trust::Certificate& c = **cert;
    std::string status = "no identity to check it against";
    if (id) status = trust::cert_check_text(trust::verify_certificate(c, id->public_key, ctx.now));
    j["certificate"] = {{"org_key", trust::public_key_text(c.org_key)},
                        {"org_domain", trust::org_domain(c.org_key)},
                        {"name", c.name},
                        {"fqdn", fmt::format("{}.{}.mesh", c.name, trust::org_domain(c.org_key))},
                        {"issued", utc_date(c.issued_at)},
                        {"expires", utc_date(c.expires_at)},
                        {"delegated", c.delegation.has_value()},
                        {"status", status}};
    if (c.delegation)
      j["certificate"]["issuer_key"] = trust::public_key_text(c.delegation->issuer_key);
  }

  if (store.has_org()) {
    auto org = store.load_org();
    if (org) {
      j["org"] = {{"public_key", trust::public_key_text(org->public_key)},
                  {"domain", trust::org_domain(org->public_key)}};
    } else {
      problems.push_back(org.error().message());
    }
  }

  for (auto [kind, field] : {std::pair{KeyKind::kAuthorizedNode, "trusted_peers"},
                             std::pair{KeyKind::kTrustedOrg, "trusted_orgs"}}) {
    j[field] = json::array();
    std::vector<std::string> skipped;
    auto keys = store.list_keys(kind, &skipped);
    for (const std::string& why : skipped) problems.push_back("skipped " + why);
    if (!keys) {
      problems.push_back(keys.error().message());
      continue;
    }
    for (const NamedKey& k : *keys) {
      json e = {{"name", k.name}, {"public_key", trust::public_key_text(k.key)}};
      if (kind == KeyKind::kTrustedOrg) e["domain"] = trust::org_domain(k.key);
      if (kind == KeyKind::kAuthorizedNode)
        e["mesh_ipv4"] = trust::mesh_ipv4(k.key, prefixes).to_string();
      j[field].push_back(e);
    }
  }
  auto revocations = store.load_revocations();
  std::vector<std::string> skipped_vouches;
  auto vouches = store.load_vouches(&skipped_vouches);
  for (const std::string& why : skipped_vouches) problems.push_back("skipped " + why);
  if (!revocations) problems.push_back(revocations.error().message());
  if (!vouches) problems.push_back(vouches.error().message());
  j["revocations"] = revocations ? revocations->size() : 0;
  j["vouches"] = vouches ? vouches->size() : 0;

  auto settings = store.load_settings();
  if (settings && *settings) {
    j["settings_file"] = store.path("meshward.toml");
  }
  bool any_trust =
      !j["trusted_peers"].empty() || !j["trusted_orgs"].empty() || (vouches && !vouches->empty());
  j["admission"] = any_trust ? "trusted keys, org certificates and vouches"
                             : "nobody but this node (no trust files; `meshward up --open` "
                               "admits everyone)";
  j["problems"] = problems;
  return j;
}

void print_text(const Context& ctx, const json& j) {
  std::ostream& o = *ctx.out;
  o << "config dir: " << j["config_dir"].get<std::string>() << "\n\nidentity\n";
  if (j["identity"].is_null()) {
    o << "  none: run 'meshward keygen'\n";
  } else {
    const json& i = j["identity"];
    o << "  public key:     " << i["public_key"].get<std::string>() << "\n"
      << "  WireGuard key:  " << i["wireguard_public_key"].get<std::string>() << "\n"
      << "  mesh IPv4:      " << i["mesh_ipv4"].get<std::string>() << "\n"
      << "  mesh IPv6:      " << i["mesh_ipv6"].get<std::string>() << "\n";
  }
  if (j.contains("certificate")) {
    const json& c = j["certificate"];
    o << "\ncertificate (node.cert)\n"
      << "  " << c["fqdn"].get<std::string>() << ", org " << c["org_domain"].get<std::string>()
      << (c["delegated"].get<bool>() ? ", issued through a delegation" : "") << "\n"
      << "  issued " << c["issued"].get<std::string>() << ", expires "
      << c["expires"].get<std::string>() << "\n"
      << "  status: " << c["status"].get<std::string>() << "\n";
  }
  if (j.contains("org")) {
    o << "\norg admin (org/org.key)\n  public key: " << j["org"]["public_key"].get<std::string>()
      << "\n  domain:     " << j["org"]["domain"].get<std::string>() << ".mesh\n";
  }
  o << "\ntrusted peers (" << j["trusted_peers"].size() << ")\n";
  for (const json& p : j["trusted_peers"])
    o << "  " << p["name"].get<std::string>() << "  " << p["public_key"].get<std::string>() << "  "
      << p["mesh_ipv4"].get<std::string>() << "\n";
  o << "\ntrusted orgs (" << j["trusted_orgs"].size() << ")\n";
  for (const json& p : j["trusted_orgs"])
    o << "  " << p["name"].get<std::string>() << "  " << p["public_key"].get<std::string>() << "  "
      << p["domain"].get<std::string>() << ".mesh\n";
  o << "\nsigned records: " << j["revocations"].get<size_t>() << " revocations, "
    << j["vouches"].get<size_t>() << " vouches\n";
  o << "admits: " << j["admission"].get<std::string>() << "\n";
  if (j.contains("settings_file"))
    o << "settings: " << j["settings_file"].get<std::string>() << "\n";
  for (const json& p : j["problems"]) o << "problem: " << p.get<std::string>() << "\n";
}

}  // namespace

void add_config(CLI::App& root, Context& ctx, Commands& out) {
  auto* config = root.add_subcommand("config", "inspect the configuration");
  config->require_subcommand(1);
  auto* show = config->add_subcommand("show", "explain what the config directory holds");
  auto as_json = std::make_shared<bool>(false);
  show->add_flag("--json", *as_json, "print JSON instead of text");
  out.push_back({show, [&ctx, as_json] {
                   json j = collect(ctx);
                   if (*as_json) {
                     *ctx.out << j.dump(2) << "\n";
                   } else {
                     print_text(ctx, j);
                   }
                   return j["problems"].empty() ? kExitOk : kExitError;
                 }});
}

void add_completion(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("completion", "print a bash completion script");
  auto shell = std::make_shared<std::string>("bash");
  sub->add_option("shell", *shell, "only bash for now")->check(CLI::IsMember({"bash"}));
  // `shell` must outlive parsing: the lambda keeps it alive with the command.
  out.push_back(
      {sub, [&ctx, shell] {
         *ctx.out
             << R"(# bash completion for meshward; load with: source <(meshward completion bash)
_meshward() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}
  local commands="keygen export trust revoke config up down status peers org-keygen org-sign org-revoke org-vouch completion version"
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur")); return
  fi
  case $cmd in
    keygen|org-keygen) COMPREPLY=($(compgen -W "--force --help" -- "$cur")) ;;
    trust) COMPREPLY=($(compgen -f -W "--name --org --force --help" -- "$cur")) ;;
    revoke) COMPREPLY=($(compgen -W "--org --help" -- "$cur")) ;;
    config) COMPREPLY=($(compgen -W "show --json --help" -- "$cur")) ;;
    org-sign) COMPREPLY=($(compgen -f -W "--name --expires --days --help" -- "$cur")) ;;
    org-revoke) COMPREPLY=($(compgen -f -W "--reason unspecified key-compromised admin-removed --help" -- "$cur")) ;;
    org-vouch) COMPREPLY=($(compgen -f -W "--help" -- "$cur")) ;;
    up) COMPREPLY=($(compgen -W "--seed --port --interface --announce --open --gossip-only --metrics --config --socket --no-tun-offload --no-udp-gso --no-udp-gro --help" -- "$cur")) ;;
    status|peers) COMPREPLY=($(compgen -W "--json --socket --help" -- "$cur")) ;;
    down) COMPREPLY=($(compgen -W "--socket --help" -- "$cur")) ;;
  esac
}
complete -F _meshward meshward
)";
         return kExitOk;
       }});
}

}  // namespace mw::cli
