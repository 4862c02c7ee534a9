// SPDX-License-Identifier: Apache-2.0
// `meshward keygen [--force]`: creates this node's identity.
#include <fmt/format.h>

#include <ostream>

#include "cli/command.h"
#include "cli/config_store.h"
#include "trust/address.h"

namespace mw::cli {

void add_keygen(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("keygen", "create this node's Ed25519 identity");
  auto force = std::make_shared<bool>(false);
  sub->add_flag(
      "--force", *force,
      "replace an existing identity (old ones are kept as identity.key.old, .old.2, ...)");
  out.push_back(
      {sub, [&ctx, force] {
         ConfigStore store(ctx.config_dir);
         if (store.has_identity() && !*force) {
           auto existing = store.load_identity();
           if (!existing) return fail(ctx, existing.error().message());
           return fail(ctx, fmt::format("an identity already exists in {} (public key "
                                        "{}); use --force to replace it",
                                        store.dir(), trust::public_key_text(existing->public_key)));
         }
         auto prefixes = store.mesh_prefixes();
         if (!prefixes) return fail(ctx, prefixes.error().message());
         trust::Identity id = trust::generate_identity();
         if (auto r = store.save_identity(id); !r) return fail(ctx, r.error().message());
         *ctx.out << fmt::format("public key: {}\nmesh IPv4:  {}\nmesh IPv6:  {}\nconfig dir: {}\n",
                                 trust::public_key_text(id.public_key),
                                 trust::mesh_ipv4(id.public_key, *prefixes).to_string(),
                                 trust::mesh_ipv6(id.public_key, *prefixes).to_string(),
                                 store.dir());
         if (*force)
           *ctx.out << "the previous identity is kept as a numbered identity.key.old file\n";
         return kExitOk;
       }});
}

void add_export(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("export", "print this node's public key (to give to peers)");
  out.push_back({sub, [&ctx] {
                   auto id = ConfigStore(ctx.config_dir).load_identity();
                   if (!id) return fail(ctx, id.error().message());
                   *ctx.out << trust::encode_public_key_line(id->public_key);
                   return kExitOk;
                 }});
}

void add_version(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("version", "print the version");
  out.push_back({sub, [&ctx] {
                   *ctx.out << "meshward 0.1.0\n";
                   return kExitOk;
                 }});
}

}  // namespace mw::cli
