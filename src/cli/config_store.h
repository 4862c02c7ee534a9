// SPDX-License-Identifier: Apache-2.0
// The config directory's files, read and written through os/file (atomic writes, secrets 0600
// at open time, secret files readable by others refused):
//   identity.key / identity.pub          this node's identity
//   authorized_keys/<name>.pub           trusted node keys
//   trusted_orgs/<name>.org              trusted organisation keys
//   org/org.key / org/org.pub, org/counter   this machine's org (for org-* commands)
//   node.cert                            this node's certificate (text form)
//   certs/<name>.cert                    certificates this org issued (text form)
//   revoked/<node-hex16>.revoke, vouched/<node-hex16>.vouch   signed org records (text form)
//   seeds, meshward.toml                 for `meshward up`
//   state                                written by `meshward up`: its last incarnation
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "trust/address.h"
#include "trust/authorize.h"
#include "trust/certificate.h"
#include "trust/identity.h"
#include "trust/records.h"
#include "trust/settings.h"

namespace mw::cli {

enum class KeyKind { kAuthorizedNode, kTrustedOrg };

struct NamedKey {
  std::string name;
  trust::PublicKey key{};
};

class ConfigStore {
 public:
  explicit ConfigStore(std::string dir) : dir_(std::move(dir)) {}

  const std::string& dir() const { return dir_; }
  std::string path(std::string_view relative) const;
  // Creates the directory (0700) if needed.
  base::Result<void> ensure_dir() const;

  bool has_identity() const;
  base::Result<trust::Identity> load_identity() const;
  // Writes identity.key (0600) and identity.pub; an identity already there is first kept as
  // identity.key.old (then .old.2, .old.3, ...), so `keygen --force` never loses a key for good.
  base::Result<void> save_identity(const trust::Identity& id) const;

  bool has_org() const;
  base::Result<trust::Identity> load_org() const;
  base::Result<void> save_org(const trust::Identity& org) const;
  // A counter for org records that only grows: max(last + 1, now in Unix seconds), persisted.
  base::Result<uint64_t> next_org_counter(base::WallTime now) const;

  // Every key file of a kind, sorted by name. A file that cannot be read or parsed is an error
  // naming it, or, with `skipped`, left out and described there ("<file>: <why>").
  base::Result<std::vector<NamedKey>> list_keys(KeyKind kind,
                                                std::vector<std::string>* skipped = nullptr) const;
  std::string key_file(KeyKind kind, std::string_view name) const;
  base::Result<void> write_key(KeyKind kind, std::string_view name,
                               const trust::PublicKey& key) const;
  base::Result<void> remove_key(KeyKind kind, std::string_view name) const;

  base::Result<std::optional<trust::Certificate>> load_node_certificate() const;
  base::Result<std::string> save_issued_certificate(const trust::Certificate& cert) const;

  base::Result<std::string> save_revocation(const trust::Revocation& r) const;
  base::Result<std::string> save_vouch(const trust::Vouch& v) const;
  base::Result<std::vector<trust::Revocation>> load_revocations() const;
  // Vouches grant trust, so a bad one is skipped like a bad key file (with `skipped`);
  // revocations take it away, so a bad one is always an error: skipping it would trust a node
  // its operator revoked.
  base::Result<std::vector<trust::Vouch>> load_vouches(
      std::vector<std::string>* skipped = nullptr) const;

  // meshward.toml, or nullopt when there is none.
  base::Result<std::optional<trust::UpSettings>> load_settings() const;
  // The mesh prefixes: meshward.toml's ipv6_prefix / ipv4_prefix, else the defaults.
  base::Result<trust::MeshPrefixes> mesh_prefixes() const;
  // The `seeds` file: one host:port per line, blank lines and "#" comments skipped; empty when
  // there is no file.
  base::Result<std::vector<std::string>> load_seeds() const;

  // Everything this node trusts, for the mesh's admission decisions. Key and vouch files that
  // do not parse are skipped and described in `skipped` (the caller warns); a bad revocation
  // is an error.
  base::Result<trust::TrustStore> load_trust_store(const trust::PublicKey& self, bool open,
                                                   std::vector<std::string>* skipped) const;

 private:
  // A secret key file in identity.key format; `missing_hint` ("{}" is the directory) when absent.
  base::Result<trust::Identity> load_key_file(std::string_view relative,
                                              std::string_view missing_hint) const;

  std::string dir_;
};

// A settings file at any path (`meshward up --config FILE`).
base::Result<trust::UpSettings> load_settings_file(const std::string& file);
// The prefixes a settings file names (`file` is for error messages), else the defaults.
base::Result<trust::MeshPrefixes> prefixes_from_settings(const trust::UpSettings& settings,
                                                         const std::string& file);

// Reads a key given on the command line: a file when the argument names an existing file or
// ends in ".pub"/".org", else the base64 text itself. Errors name the file or say what is wrong.
base::Result<trust::PublicKey> read_key_argument(std::string_view argument);

}  // namespace mw::cli
