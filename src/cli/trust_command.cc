// SPDX-License-Identifier: Apache-2.0
// `meshward trust <key|file> [--name N] [--org] [--force]` and `meshward revoke <name|key>
// [--org]`: add and remove trusted node and org keys.
#include <fmt/format.h>

#include <istream>
#include <ostream>

#include "cli/command.h"
#include "cli/config_store.h"
#include "trust/address.h"
#include "trust/names.h"

namespace mw::cli {
namespace {

struct TrustArgs {
  std::string key;
  std::string name;
  bool org = false;
  bool force = false;
};

// The default name: the file's stem for a file argument, else the first 8 key characters (or
// the org's domain for an org).
std::string default_name(const TrustArgs& a, const trust::PublicKey& key) {
  std::string k = a.key;
  auto slash = k.rfind('/');
  std::string base = slash == std::string::npos ? k : k.substr(slash + 1);
  for (std::string_view ext : {".pub", ".org"}) {
    if (base.size() > ext.size() && base.ends_with(ext))
      return base.substr(0, base.size() - ext.size());
  }
  if (a.org) return trust::org_domain(key);
  return trust::public_key_text(key).substr(0, 8);
}

bool confirm(const Context& ctx, const std::string& question) {
  *ctx.err << question << " [y/N] ";
  std::string answer;
  std::getline(*ctx.in, answer);
  return !answer.empty() && (answer[0] == 'y' || answer[0] == 'Y');
}

int run_trust(Context& ctx, const TrustArgs& a) {
  auto key = read_key_argument(a.key);
  if (!key) return fail(ctx, key.error().message());
  std::string raw_name = a.name.empty() ? default_name(a, *key) : a.name;
  auto name = trust::sanitize_name(raw_name);
  if (!name) return fail(ctx, fmt::format("'{}' cannot be used as a name", raw_name));
  KeyKind kind = a.org ? KeyKind::kTrustedOrg : KeyKind::kAuthorizedNode;
  const char* what = a.org ? "org" : "peer";
  ConfigStore store(ctx.config_dir);
  if (auto r = store.ensure_dir(); !r) return fail(ctx, r.error().message());
  std::vector<std::string> skipped;
  auto existing = store.list_keys(kind, &skipped);
  for (const std::string& why : skipped) *ctx.err << "warning: skipping " << why << "\n";
  if (!existing) return fail(ctx, existing.error().message());
  const NamedKey* same_key = nullptr;
  const NamedKey* same_name = nullptr;
  for (const NamedKey& k : *existing) {
    if (k.key == *key) same_key = &k;
    if (k.name == *name) same_name = &k;
  }
  if (same_key && same_key->name == *name) {
    *ctx.out << fmt::format("{} '{}' is already trusted\n", what, *name);
    return kExitOk;
  }
  if (same_name) {
    std::string question = fmt::format("a different key is trusted as '{}' ({}); replace it?",
                                       *name, store.key_file(kind, *name));
    if (!a.force) {
      if (!ctx.interactive)
        return fail(ctx, fmt::format("a different key is already trusted as '{}' ({}); use "
                                     "--force to replace it",
                                     *name, store.key_file(kind, *name)));
      if (!confirm(ctx, question)) return fail(ctx, "aborted; nothing changed");
    }
  }
  if (auto r = store.write_key(kind, *name, *key); !r) return fail(ctx, r.error().message());
  if (same_key) {
    if (auto r = store.remove_key(kind, same_key->name); !r) return fail(ctx, r.error().message());
    *ctx.out << fmt::format("{} renamed from '{}' to '{}'\n", what, same_key->name, *name);
    return kExitOk;
  }
  if (a.org) {
    *ctx.out << fmt::format("org '{}' trusted (domain {}.mesh)\n", *name, trust::org_domain(*key));
  } else {
    auto prefixes = store.mesh_prefixes();
    *ctx.out << fmt::format(
        "peer '{}' trusted (mesh IPv4 {})\n", *name,
        trust::mesh_ipv4(*key, prefixes ? *prefixes : trust::MeshPrefixes::defaults()).to_string());
  }
  if (!a.org) {
    auto self = store.load_identity();
    if (self && self->public_key == *key)
      *ctx.err << "note: this is this node's own key; a node always admits itself\n";
  }
  return kExitOk;
}

int run_revoke(Context& ctx, const std::string& target, bool org) {
  ConfigStore store(ctx.config_dir);
  KeyKind kind = org ? KeyKind::kTrustedOrg : KeyKind::kAuthorizedNode;
  std::vector<std::string> skipped;
  auto keys = store.list_keys(kind, &skipped);
  for (const std::string& why : skipped) *ctx.err << "warning: skipping " << why << "\n";
  if (!keys) return fail(ctx, keys.error().message());
  auto as_key = trust::parse_public_key(target);
  for (const NamedKey& k : *keys) {
    if (k.name == target || (as_key && k.key == *as_key)) {
      if (auto r = store.remove_key(kind, k.name); !r) return fail(ctx, r.error().message());
      *ctx.out << fmt::format("{} '{}' is no longer trusted\n", org ? "org" : "peer", k.name);
      return kExitOk;
    }
  }
  return fail(ctx, fmt::format("no trusted {} is named '{}' or has that key", org ? "org" : "peer",
                               target));
}

}  // namespace

void add_trust(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("trust", "trust a node's (or, with --org, an org's) public key");
  auto a = std::make_shared<TrustArgs>();
  sub->add_option("key", a->key, "base64 public key, or a file holding one (name.pub)")->required();
  sub->add_option("--name", a->name, "name to store it under (default: file stem or key prefix)");
  sub->add_flag("--org", a->org, "trust an organisation: nodes with its certificates are admitted");
  sub->add_flag("--force", a->force, "replace a different key already stored under the name");
  out.push_back({sub, [&ctx, a] { return run_trust(ctx, *a); }});
}

void add_revoke(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("revoke", "stop trusting a node (or, with --org, an org)");
  auto target = std::make_shared<std::string>();
  auto org = std::make_shared<bool>(false);
  sub->add_option("name-or-key", *target, "the name it is stored under, or the key")->required();
  sub->add_flag("--org", *org, "revoke a trusted org instead of a node");
  out.push_back({sub, [&ctx, target, org] { return run_revoke(ctx, *target, *org); }});
}

}  // namespace mw::cli
