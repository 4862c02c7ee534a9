// SPDX-License-Identifier: Apache-2.0
// The org admin's commands: `org-keygen`, `org-sign`, `org-revoke`, `org-vouch`.
#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <ostream>

#include "cli/command.h"
#include "cli/config_store.h"
#include "cli/dates.h"
#include "trust/address.h"

namespace mw::cli {
namespace {

constexpr int64_t kDay = 86400;

// "YYYY-MM-DD" (UTC midnight) to Unix seconds; a date that does not exist is refused.
base::Result<int64_t> parse_date(std::string_view s) {
  unsigned y = 0, m = 0, d = 0;
  char extra;
  if (s.size() != 10 ||
      std::sscanf(std::string(s).c_str(), "%4u-%2u-%2u%c", &y, &m, &d, &extra) != 3 || y < 1970 ||
      y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
    return base::make_error("--expires: '{}' is not a date like 2027-12-31", s);
  std::tm tm{};
  tm.tm_year = int(y) - 1900;
  tm.tm_mon = int(m) - 1;
  tm.tm_mday = int(d);
  std::time_t t = timegm(&tm);  // normalises 02-31 to 03-03: compare to catch it
  std::tm back{};
  gmtime_r(&t, &back);
  if (back.tm_mday != int(d) || back.tm_mon != int(m) - 1)
    return base::make_error("--expires: '{}' is not a valid date", s);
  return int64_t(t);
}

struct SignArgs {
  std::string node;
  std::string name;
  std::string expires;
  int64_t days = -1;
};

int run_org_sign(Context& ctx, const SignArgs& a) {
  ConfigStore store(ctx.config_dir);
  auto org = store.load_org();
  if (!org) return fail(ctx, org.error().message());
  auto node = read_key_argument(a.node);
  if (!node) return fail(ctx, node.error().message());
  int64_t now = ctx.now.unix_nanos / 1'000'000'000;
  int64_t expires = now + 365 * kDay;
  if (!a.expires.empty() && a.days >= 0)
    return fail(ctx, "give either --expires or --days, not both");
  if (!a.expires.empty()) {
    auto t = parse_date(a.expires);
    if (!t) return fail(ctx, t.error().message());
    if (*t <= now) return fail(ctx, fmt::format("--expires {} is in the past", a.expires));
    expires = *t;
  } else if (a.days == 0) {
    expires = 0;
  } else if (a.days > 0) {
    if (a.days > 100 * 365) return fail(ctx, "--days: at most 36500 (or 0 for never)");
    expires = now + a.days * kDay;
  }
  std::string name = a.name.empty() ? "node" : a.name;
  auto cert = trust::sign_certificate(*org, *node, name, now, expires);
  if (!cert) return fail(ctx, cert.error().message());
  auto file = store.save_issued_certificate(*cert);
  if (!file) return fail(ctx, file.error().message());
  *ctx.out << fmt::format(
      "certificate for '{}' ({}.{}.mesh), expires {}\nsaved as {}\n"
      "install it on the node as node.cert in its config directory, or paste this line there:\n"
      "{}\n",
      cert->name, cert->name, trust::org_domain(org->public_key),
      utc_date(expires, /*with_time=*/true), *file, trust::certificate_to_text(*cert));
  return kExitOk;
}

int run_org_revoke(Context& ctx, const std::string& node_arg, const std::string& reason_text) {
  ConfigStore store(ctx.config_dir);
  auto org = store.load_org();
  if (!org) return fail(ctx, org.error().message());
  auto node = read_key_argument(node_arg);
  if (!node) return fail(ctx, node.error().message());
  auto reason = trust::parse_revocation_reason(reason_text);
  if (!reason) return fail(ctx, reason.error().message());
  auto counter = store.next_org_counter(ctx.now);
  if (!counter) return fail(ctx, counter.error().message());
  trust::Revocation r =
      trust::sign_revocation(*org, *node, *reason, *counter, ctx.now.unix_nanos / 1'000'000'000);
  auto file = store.save_revocation(r);
  if (!file) return fail(ctx, file.error().message());
  *ctx.out << fmt::format("revoked {} ({}), record {}\nsaved as {}\n{}\n",
                          trust::public_key_text(*node), trust::revocation_reason_text(*reason),
                          *counter, *file, trust::revocation_to_text(r));
  return kExitOk;
}

int run_org_vouch(Context& ctx, const std::string& node_arg) {
  ConfigStore store(ctx.config_dir);
  auto org = store.load_org();
  if (!org) return fail(ctx, org.error().message());
  auto node = read_key_argument(node_arg);
  if (!node) return fail(ctx, node.error().message());
  auto counter = store.next_org_counter(ctx.now);
  if (!counter) return fail(ctx, counter.error().message());
  trust::Vouch v = trust::sign_vouch(*org, *node, *counter, ctx.now.unix_nanos / 1'000'000'000);
  auto file = store.save_vouch(v);
  if (!file) return fail(ctx, file.error().message());
  *ctx.out << fmt::format("vouched for {}, record {}\nsaved as {}\n{}\n",
                          trust::public_key_text(*node), *counter, *file, trust::vouch_to_text(v));
  return kExitOk;
}

}  // namespace

void add_org_keygen(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("org-keygen", "create an organisation key on this machine");
  auto force = std::make_shared<bool>(false);
  sub->add_flag("--force", *force, "replace an existing org key (its nodes' certificates die)");
  out.push_back({sub, [&ctx, force] {
                   ConfigStore store(ctx.config_dir);
                   if (store.has_org() && !*force)
                     return fail(ctx, fmt::format("an org key already exists in {}/org; use "
                                                  "--force to replace it",
                                                  store.dir()));
                   if (auto r = store.ensure_dir(); !r) return fail(ctx, r.error().message());
                   trust::Identity org = trust::generate_identity();
                   if (auto r = store.save_org(org); !r) return fail(ctx, r.error().message());
                   *ctx.out << fmt::format("org public key: {}\norg domain:     {}.mesh\n",
                                           trust::public_key_text(org.public_key),
                                           trust::org_domain(org.public_key));
                   return kExitOk;
                 }});
}

void add_org_sign(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("org-sign", "issue a certificate for a node, signed by the org");
  auto a = std::make_shared<SignArgs>();
  sub->add_option("node-key", a->node, "the node's public key, or a file holding it")->required();
  sub->add_option("--name", a->name, "the node's name: 1-63 of a-z 0-9 - (default: node)");
  sub->add_option("--expires", a->expires, "expiry date, YYYY-MM-DD (UTC)");
  sub->add_option("--days", a->days, "valid for this many days (0: never expires; default 365)");
  out.push_back({sub, [&ctx, a] { return run_org_sign(ctx, *a); }});
}

void add_org_revoke(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("org-revoke", "sign a revocation of a node's certificates");
  auto node = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>("admin-removed");
  sub->add_option("node-key", *node, "the node's public key, or a file holding it")->required();
  sub->add_option("--reason", *reason, "unspecified | key-compromised | admin-removed");
  out.push_back({sub, [&ctx, node, reason] { return run_org_revoke(ctx, *node, *reason); }});
}

void add_org_vouch(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("org-vouch", "sign a vouch that admits a node without a cert");
  auto node = std::make_shared<std::string>();
  sub->add_option("node-key", *node, "the node's public key, or a file holding it")->required();
  out.push_back({sub, [&ctx, node] { return run_org_vouch(ctx, *node); }});
}

}  // namespace mw::cli
