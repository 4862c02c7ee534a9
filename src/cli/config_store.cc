// SPDX-License-Identifier: Apache-2.0
// ConfigStore: the config directory's files.
#include "cli/config_store.h"

#include <cstring>

#include <fmt/format.h>

#include "base/encoding.h"
#include "os/file.h"

namespace mw::cli {
namespace {

constexpr size_t kMaxSmallFile = 4096;
constexpr size_t kMaxSettingsFile = 1 << 20;

std::string_view trim(std::string_view s) {
  while (!s.empty() &&
         (s.back() == '\n' || s.back() == '\r' || s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
    s.remove_prefix(1);
  return s;
}

const char* kind_dir(KeyKind kind) {
  return kind == KeyKind::kAuthorizedNode ? "authorized_keys" : "trusted_orgs";
}
const char* kind_ext(KeyKind kind) { return kind == KeyKind::kAuthorizedNode ? ".pub" : ".org"; }

std::string hex16(const trust::PublicKey& key) {
  return base::hex_encode(base::Bytes(key.data(), 8));
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

template <typename T, typename Parse>
base::Result<std::vector<T>> load_records(const ConfigStore& store, const char* dir,
                                          const char* ext, Parse parse,
                                          std::vector<std::string>* skipped) {
  auto names = os::list_files(store.path(dir));
  if (!names) return names.error();
  std::vector<T> out;
  for (const std::string& name : *names) {
    if (!ends_with(name, ext)) continue;
    std::string file = store.path(std::string(dir) + "/" + name);
    auto text = os::read_file(file, kMaxSmallFile);
    std::string stem = name.substr(0, name.size() - std::strlen(ext));
    base::Result<T> record = text ? parse(trim(*text), stem) : base::Result<T>(text.error());
    if (!record) {
      // read_file's errors name the file already; a parse error does not.
      std::string why =
          text ? fmt::format("{}: {}", file, record.error().message()) : record.error().message();
      if (!skipped) return base::Error(why);
      skipped->push_back(why);
      continue;
    }
    out.push_back(*record);
  }
  return out;
}

}  // namespace

std::string ConfigStore::path(std::string_view relative) const {
  return dir_ + "/" + std::string(relative);
}

base::Result<void> ConfigStore::ensure_dir() const { return os::make_dirs(dir_, 0700); }

base::Result<trust::Identity> ConfigStore::load_key_file(std::string_view relative,
                                                         std::string_view missing_hint) const {
  std::string file = path(relative);
  if (!os::file_exists(file)) return base::Error(fmt::format(fmt::runtime(missing_hint), dir_));
  auto text = os::read_secret_file(file, kMaxSmallFile);
  if (!text) return text.error();
  auto id = trust::parse_identity_key(*text);
  if (!id) return base::make_error("{}: {}", file, id.error().message());
  return id;
}

bool ConfigStore::has_identity() const { return os::file_exists(path("identity.key")); }

base::Result<trust::Identity> ConfigStore::load_identity() const {
  return load_key_file("identity.key", "no identity in {}; run 'meshward keygen' first");
}

base::Result<void> ConfigStore::save_identity(const trust::Identity& id) const {
  MW_RETURN_IF_ERROR(ensure_dir());
  // Keep every replaced identity: .old, then .old.2, .old.3, ... (never overwrite a backup).
  std::string suffix = ".old";
  for (int n = 2; os::file_exists(path("identity.key") + suffix); ++n)
    suffix = fmt::format(".old.{}", n);
  for (const char* name : {"identity.key", "identity.pub"}) {
    std::string file = path(name);
    if (!os::file_exists(file)) continue;
    auto old = os::read_file(file, kMaxSmallFile);
    if (!old) return old.error();
    MW_RETURN_IF_ERROR(os::write_file_atomic(file + suffix, *old, 0600));
  }
  MW_RETURN_IF_ERROR(
      os::write_file_atomic(path("identity.key"), trust::encode_identity_key(id), 0600));
  return os::write_file_atomic(path("identity.pub"), trust::encode_public_key_line(id.public_key),
                               0644);
}

bool ConfigStore::has_org() const { return os::file_exists(path("org/org.key")); }

base::Result<trust::Identity> ConfigStore::load_org() const {
  return load_key_file("org/org.key", "no org key in {}; run 'meshward org-keygen' first");
}

base::Result<void> ConfigStore::save_org(const trust::Identity& org) const {
  MW_RETURN_IF_ERROR(os::make_dirs(path("org"), 0700));
  MW_RETURN_IF_ERROR(
      os::write_file_atomic(path("org/org.key"), trust::encode_identity_key(org), 0600));
  return os::write_file_atomic(path("org/org.pub"), trust::encode_public_key_line(org.public_key),
                               0644);
}

base::Result<uint64_t> ConfigStore::next_org_counter(base::WallTime now) const {
  std::string file = path("org/counter");
  uint64_t last = 0;
  if (os::file_exists(file)) {
    auto text = os::read_file(file, 64);
    if (!text) return text.error();
    std::string t(trim(*text));
    char* end = nullptr;
    last = std::strtoull(t.c_str(), &end, 10);
    if (t.empty() || *end != '\0') return base::make_error("{}: not a number", file);
  }
  uint64_t now_s = uint64_t(std::max<int64_t>(0, now.unix_nanos / 1'000'000'000));
  uint64_t next = std::max(last + 1, now_s);
  MW_RETURN_IF_ERROR(os::make_dirs(path("org"), 0700));
  MW_RETURN_IF_ERROR(os::write_file_atomic(file, fmt::format("{}\n", next), 0600));
  return next;
}

std::string ConfigStore::key_file(KeyKind kind, std::string_view name) const {
  return path(fmt::format("{}/{}{}", kind_dir(kind), name, kind_ext(kind)));
}

base::Result<std::vector<NamedKey>> ConfigStore::list_keys(
    KeyKind kind, std::vector<std::string>* skipped) const {
  auto keys = load_records<NamedKey>(
      *this, kind_dir(kind), kind_ext(kind),
      [](std::string_view text, const std::string& name) -> base::Result<NamedKey> {
        auto key = trust::parse_public_key(text);
        if (!key) return key.error();
        return NamedKey{name, *key};
      },
      skipped);
  if (!keys) return keys.error();
  return keys;
}

base::Result<void> ConfigStore::write_key(KeyKind kind, std::string_view name,
                                          const trust::PublicKey& key) const {
  MW_RETURN_IF_ERROR(os::make_dirs(path(kind_dir(kind)), 0700));
  return os::write_file_atomic(key_file(kind, name), trust::encode_public_key_line(key), 0644);
}

base::Result<void> ConfigStore::remove_key(KeyKind kind, std::string_view name) const {
  return os::remove_file(key_file(kind, name));
}

base::Result<std::optional<trust::Certificate>> ConfigStore::load_node_certificate() const {
  std::string file = path("node.cert");
  if (!os::file_exists(file)) return std::optional<trust::Certificate>();
  auto text = os::read_file(file, kMaxSmallFile);
  if (!text) return text.error();
  auto cert = trust::certificate_from_text(trim(*text));
  if (!cert) return base::make_error("{}: {}", file, cert.error().message());
  return std::optional<trust::Certificate>(*cert);
}

base::Result<std::string> ConfigStore::save_issued_certificate(const trust::Certificate& c) const {
  MW_RETURN_IF_ERROR(os::make_dirs(path("certs"), 0700));
  std::string file = path("certs/" + c.name + ".cert");
  MW_RETURN_IF_ERROR(os::write_file_atomic(file, trust::certificate_to_text(c) + "\n", 0644));
  return file;
}

base::Result<std::string> ConfigStore::save_revocation(const trust::Revocation& r) const {
  MW_RETURN_IF_ERROR(os::make_dirs(path("revoked"), 0700));
  std::string file = path("revoked/" + hex16(r.node_key) + ".revoke");
  MW_RETURN_IF_ERROR(os::write_file_atomic(file, trust::revocation_to_text(r) + "\n", 0644));
  return file;
}

base::Result<std::string> ConfigStore::save_vouch(const trust::Vouch& v) const {
  MW_RETURN_IF_ERROR(os::make_dirs(path("vouched"), 0700));
  std::string file = path("vouched/" + hex16(v.node_key) + ".vouch");
  MW_RETURN_IF_ERROR(os::write_file_atomic(file, trust::vouch_to_text(v) + "\n", 0644));
  return file;
}

base::Result<std::vector<trust::Revocation>> ConfigStore::load_revocations() const {
  return load_records<trust::Revocation>(
      *this, "revoked", ".revoke",
      [](std::string_view t, const std::string&) { return trust::revocation_from_text(t); },
      nullptr);
}

base::Result<std::vector<trust::Vouch>> ConfigStore::load_vouches(
    std::vector<std::string>* skipped) const {
  return load_records<trust::Vouch>(
      *this, "vouched", ".vouch",
      [](std::string_view t, const std::string&) { return trust::vouch_from_text(t); }, skipped);
}

base::Result<std::optional<trust::UpSettings>> ConfigStore::load_settings() const {
  std::string file = path("meshward.toml");
  if (!os::file_exists(file)) return std::optional<trust::UpSettings>();
  auto settings = load_settings_file(file);
  if (!settings) return settings.error();
  return std::optional<trust::UpSettings>(*settings);
}

base::Result<trust::UpSettings> load_settings_file(const std::string& file) {
  auto text = os::read_file(file, kMaxSettingsFile);
  if (!text) return base::make_error("{}: {}", file, text.error().message());
  return trust::parse_settings(*text, file);
}

base::Result<trust::MeshPrefixes> ConfigStore::mesh_prefixes() const {
  auto settings = load_settings();
  if (!settings) return settings.error();
  if (!*settings) return trust::MeshPrefixes::defaults();
  return prefixes_from_settings(**settings, path("meshward.toml"));
}

base::Result<trust::MeshPrefixes> prefixes_from_settings(const trust::UpSettings& settings,
                                                         const std::string& file) {
  trust::MeshPrefixes p = trust::MeshPrefixes::defaults();
  base::IpPrefix v6 = p.v6, v4 = p.v4;
  if (settings.ipv6_prefix) {
    auto parsed = base::IpPrefix::parse(*settings.ipv6_prefix);
    if (!parsed)
      return base::make_error("{}: ipv6_prefix: '{}' is not a prefix", file, *settings.ipv6_prefix);
    v6 = *parsed;
  }
  if (settings.ipv4_prefix) {
    auto parsed = base::IpPrefix::parse(*settings.ipv4_prefix);
    if (!parsed)
      return base::make_error("{}: ipv4_prefix: '{}' is not a prefix", file, *settings.ipv4_prefix);
    v4 = *parsed;
  }
  auto made = trust::MeshPrefixes::make(v6, v4);
  if (!made) return base::make_error("{}: {}", file, made.error().message());
  return made;
}

base::Result<std::vector<std::string>> ConfigStore::load_seeds() const {
  std::string file = path("seeds");
  std::vector<std::string> seeds;
  if (!os::file_exists(file)) return seeds;
  auto text = os::read_file(file, kMaxSettingsFile);
  if (!text) return base::make_error("{}: {}", file, text.error().message());
  std::string_view rest = *text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (!line.empty()) seeds.emplace_back(line);
  }
  return seeds;
}

base::Result<trust::TrustStore> ConfigStore::load_trust_store(
    const trust::PublicKey& self, bool open, std::vector<std::string>* skipped) const {
  trust::TrustStore store(self);
  store.set_open(open);
  auto nodes = list_keys(KeyKind::kAuthorizedNode, skipped);
  if (!nodes) return nodes.error();
  for (const auto& k : *nodes) store.add_authorized_key(k.key, k.name);
  auto orgs = list_keys(KeyKind::kTrustedOrg, skipped);
  if (!orgs) return orgs.error();
  for (const auto& k : *orgs) store.add_trusted_org(k.key);
  auto revocations = load_revocations();
  if (!revocations) return revocations.error();
  for (const auto& r : *revocations) store.add_revocation(r);
  auto vouches = load_vouches(skipped);
  if (!vouches) return vouches.error();
  for (const auto& v : *vouches) store.add_vouch(v);
  return store;
}

base::Result<trust::PublicKey> read_key_argument(std::string_view argument) {
  std::string arg(argument);
  if (os::file_exists(arg) || ends_with(arg, ".pub") || ends_with(arg, ".org")) {
    auto text = os::read_file(arg, kMaxSmallFile);
    if (!text) return text.error();
    auto key = trust::parse_public_key(*text);
    if (!key) return base::make_error("{}: {}", arg, key.error().message());
    return key;
  }
  return trust::parse_public_key(argument);
}

}  // namespace mw::cli
