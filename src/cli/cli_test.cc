// SPDX-License-Identifier: Apache-2.0
// Every meshward command through a temporary config directory: results, every error message,
// file modes, name sanitising, prompts, and the exit codes 0 / 1 / 2.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/config_store.h"
#include "cli/testing/cli_runner.h"
#include "os/file.h"
#include "trust/identity.h"

namespace mw::cli {
namespace {

using testing::TempConfig;

unsigned mode_of(const std::string& p) { return os::file_mode(p).value(); }

std::string read(const std::string& p) { return os::read_file(p, 1 << 16).value(); }
std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
std::string new_key() { return trust::public_key_text(trust::generate_identity().public_key); }

TEST(CliUsage, NoCommandIsAUsageError) {
  TempConfig c;
  auto r = c.run({});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_NE(r.err.find("subcommand"), std::string::npos) << r.err;
}

TEST(CliUsage, UnknownCommandAndFlagAreUsageErrors) {
  TempConfig c;
  EXPECT_EQ(c.run({"frobnicate"}).rc, kExitUsage);
  EXPECT_EQ(c.run({"keygen", "--bogus"}).rc, kExitUsage);
  EXPECT_EQ(c.run({"trust"}).rc, kExitUsage) << "a required argument is missing";
}

TEST(CliUsage, HelpAndVersion) {
  TempConfig c;
  auto help = c.run({"--help"});
  EXPECT_EQ(help.rc, kExitOk);
  EXPECT_NE(help.out.find("org-sign"), std::string::npos);
  auto sub = c.run({"trust", "--help"});
  EXPECT_EQ(sub.rc, kExitOk);
  EXPECT_NE(sub.out.find("--org"), std::string::npos);
  EXPECT_EQ(c.run({"version"}).out, "meshward 0.1.0\n");
  EXPECT_EQ(c.run({"--version"}).rc, kExitOk);
}

TEST(CliKeygen, CreatesIdentityWithModes) {
  TempConfig c;
  auto r = c.run({"keygen"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("mesh IPv4:  10.99."), std::string::npos) << r.out;
  EXPECT_EQ(mode_of(c.path("identity.key")), 0600u);
  EXPECT_EQ(mode_of(c.path("identity.pub")), 0644u);
  EXPECT_EQ(mode_of(c.dir()), 0700u);
  auto id = trust::parse_identity_key(read(c.path("identity.key")));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(read(c.path("identity.pub")), trust::encode_public_key_line(id->public_key));
  EXPECT_EQ(c.run({"export"}).out, read(c.path("identity.pub")));
}

TEST(CliKeygen, RefusesToReplaceWithoutForceAndKeepsTheOldKeyWithIt) {
  TempConfig c;
  ASSERT_EQ(c.run({"keygen"}).rc, kExitOk);
  std::string first = read(c.path("identity.key"));
  auto again = c.run({"keygen"});
  EXPECT_EQ(again.rc, kExitError);
  EXPECT_EQ(again.err.rfind("error: an identity already exists in ", 0), 0u) << again.err;
  EXPECT_NE(again.err.find("use --force"), std::string::npos);
  EXPECT_EQ(read(c.path("identity.key")), first);
  ASSERT_EQ(c.run({"keygen", "--force"}).rc, kExitOk);
  EXPECT_NE(read(c.path("identity.key")), first);
  EXPECT_EQ(read(c.path("identity.key.old")), first);
  EXPECT_EQ(mode_of(c.path("identity.key.old")), 0600u);
}

TEST(CliKeygen, RepeatedForceKeepsEveryOldIdentity) {
  TempConfig c;
  ASSERT_EQ(c.run({"keygen"}).rc, kExitOk);
  std::string first = read(c.path("identity.key"));
  ASSERT_EQ(c.run({"keygen", "--force"}).rc, kExitOk);
  std::string second = read(c.path("identity.key"));
  ASSERT_EQ(c.run({"keygen", "--force"}).rc, kExitOk);
  EXPECT_EQ(read(c.path("identity.key.old")), first);
  EXPECT_EQ(read(c.path("identity.key.old.2")), second);
  EXPECT_EQ(mode_of(c.path("identity.key.old.2")), 0600u);
}

TEST(CliExport, WithoutIdentityTellsWhatToDo) {
  TempConfig c;
  auto r = c.run({"export"});
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_EQ(r.err, "error: no identity in " + c.dir() + "; run 'meshward keygen' first\n");
}

TEST(CliExport, RefusesAnIdentityReadableByOthers) {
  TempConfig c;
  ASSERT_EQ(c.run({"keygen"}).rc, kExitOk);
  ASSERT_TRUE(os::set_file_mode(c.path("identity.key"), 0644).ok());
  auto r = c.run({"export"});
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_NE(r.err.find("chmod 600 " + c.path("identity.key")), std::string::npos) << r.err;
}

TEST(CliExport, CorruptIdentityNamesTheFile) {
  TempConfig c;
  ASSERT_EQ(c.run({"keygen"}).rc, kExitOk);
  ASSERT_TRUE(os::write_file_atomic(c.path("identity.key"), "garbage\n", 0600).ok());
  auto r = c.run({"export"});
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_EQ(r.err.rfind("error: " + c.path("identity.key") + ": ", 0), 0u) << r.err;
}

TEST(CliTrust, TrustsAKeyByTextAndByFile) {
  TempConfig c;
  std::string k1 = new_key(), k2 = new_key();
  auto r = c.run({"trust", k1, "--name", "alice"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("peer 'alice' trusted"), std::string::npos) << r.out;
  EXPECT_EQ(trim(read(c.path("authorized_keys/alice.pub"))), k1);
  std::string file = c.dir() + "/../bob.pub";
  std::ofstream(file) << k2 << "\n";
  ASSERT_EQ(c.run({"trust", file}).rc, kExitOk);
  EXPECT_EQ(trim(read(c.path("authorized_keys/bob.pub"))), k2) << "name from the file stem";
}

TEST(CliTrust, DefaultNameIsTheKeyPrefix) {
  TempConfig c;
  std::string k = new_key();
  ASSERT_EQ(c.run({"trust", k}).rc, kExitOk);
  EXPECT_TRUE(os::file_exists(c.path("authorized_keys/" + k.substr(0, 8) + ".pub")) ||
              os::list_files(c.path("authorized_keys"))->size() == 1);
}

TEST(CliTrust, RejectsBadKeys) {
  TempConfig c;
  std::string k = new_key();
  auto short_key = c.run({"trust", k.substr(0, 43)});
  EXPECT_EQ(short_key.rc, kExitError);
  EXPECT_EQ(short_key.err.rfind("error: ", 0), 0u);
  EXPECT_EQ(c.run({"trust", "not base64!"}).rc, kExitError);
  // 32 bytes that are not a valid Ed25519 point: all zeros is small-order.
  auto zero = c.run({"trust", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="});
  EXPECT_EQ(zero.rc, kExitError);
  EXPECT_NE(zero.err.find("Ed25519"), std::string::npos) << zero.err;
  auto missing = c.run({"trust", "/nonexistent/x.pub"});
  EXPECT_EQ(missing.rc, kExitError);
  EXPECT_NE(missing.err.find("/nonexistent/x.pub"), std::string::npos) << missing.err;
  EXPECT_FALSE(os::file_exists(c.path("authorized_keys"))) << "nothing written";
}

TEST(CliTrust, SanitisesNames) {
  TempConfig c;
  ASSERT_EQ(c.run({"trust", new_key(), "--name", "../../etc/evil"}).rc, kExitOk);
  auto files = os::list_files(c.path("authorized_keys"));
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].find('/'), std::string::npos);
  EXPECT_NE((*files)[0][0], '.');
  EXPECT_EQ(c.run({"trust", new_key(), "--name", "..."}).rc, kExitError);
}

TEST(CliTrust, SameKeySameNameIsAlreadyTrusted) {
  TempConfig c;
  std::string k = new_key();
  ASSERT_EQ(c.run({"trust", k, "--name", "a"}).rc, kExitOk);
  auto again = c.run({"trust", k, "--name", "a"});
  EXPECT_EQ(again.rc, kExitOk);
  EXPECT_NE(again.out.find("already trusted"), std::string::npos);
}

TEST(CliTrust, SameKeyNewNameRenames) {
  TempConfig c;
  std::string k = new_key();
  ASSERT_EQ(c.run({"trust", k, "--name", "a"}).rc, kExitOk);
  auto r = c.run({"trust", k, "--name", "b"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_NE(r.out.find("renamed from 'a' to 'b'"), std::string::npos) << r.out;
  EXPECT_FALSE(os::file_exists(c.path("authorized_keys/a.pub")));
  EXPECT_TRUE(os::file_exists(c.path("authorized_keys/b.pub")));
}

TEST(CliTrust, NameCollisionRefusedWithoutTerminalUnlessForced) {
  TempConfig c;
  std::string k1 = new_key(), k2 = new_key();
  ASSERT_EQ(c.run({"trust", k1, "--name", "a"}).rc, kExitOk);
  auto r = c.run({"trust", k2, "--name", "a"});
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_NE(r.err.find("use --force"), std::string::npos) << r.err;
  EXPECT_EQ(trim(read(c.path("authorized_keys/a.pub"))), k1);
  ASSERT_EQ(c.run({"trust", k2, "--name", "a", "--force"}).rc, kExitOk);
  EXPECT_EQ(trim(read(c.path("authorized_keys/a.pub"))), k2);
}

TEST(CliTrust, NameCollisionAsksOnATerminal) {
  TempConfig c;
  std::string k1 = new_key(), k2 = new_key();
  ASSERT_EQ(c.run({"trust", k1, "--name", "a"}).rc, kExitOk);
  auto no = c.run({"trust", k2, "--name", "a"}, "n\n", /*interactive=*/true);
  EXPECT_EQ(no.rc, kExitError);
  EXPECT_NE(no.err.find("replace it? [y/N]"), std::string::npos) << no.err;
  EXPECT_EQ(trim(read(c.path("authorized_keys/a.pub"))), k1);
  auto yes = c.run({"trust", k2, "--name", "a"}, "y\n", /*interactive=*/true);
  EXPECT_EQ(yes.rc, kExitOk);
  EXPECT_EQ(trim(read(c.path("authorized_keys/a.pub"))), k2);
}

TEST(CliRevoke, ByNameByKeyAndUnknown) {
  TempConfig c;
  std::string k1 = new_key(), k2 = new_key();
  ASSERT_EQ(c.run({"trust", k1, "--name", "a"}).rc, kExitOk);
  ASSERT_EQ(c.run({"trust", k2, "--name", "b"}).rc, kExitOk);
  EXPECT_EQ(c.run({"revoke", "a"}).rc, kExitOk);
  EXPECT_FALSE(os::file_exists(c.path("authorized_keys/a.pub")));
  EXPECT_EQ(c.run({"revoke", k2}).rc, kExitOk);
  EXPECT_FALSE(os::file_exists(c.path("authorized_keys/b.pub")));
  auto r = c.run({"revoke", "nobody"});
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_EQ(r.err, "error: no trusted peer is named 'nobody' or has that key\n");
}

TEST(CliOrg, KeygenRefusesTwice) {
  TempConfig c;
  auto r = c.run({"org-keygen"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("org domain:"), std::string::npos);
  EXPECT_EQ(mode_of(c.path("org/org.key")), 0600u);
  auto again = c.run({"org-keygen"});
  EXPECT_EQ(again.rc, kExitError);
  EXPECT_NE(again.err.find("--force"), std::string::npos);
}

TEST(CliOrg, SignWithoutOrgKeyFails) {
  TempConfig c;
  auto r = c.run({"org-sign", new_key()});
  EXPECT_EQ(r.rc, kExitError);
  EXPECT_NE(r.err.find("run 'meshward org-keygen' first"), std::string::npos) << r.err;
}

TEST(CliOrg, SignedCertificateInstalledOnTheNodeIsValid) {
  TempConfig org, node;
  ASSERT_EQ(org.run({"org-keygen"}).rc, kExitOk);
  ASSERT_EQ(node.run({"keygen"}).rc, kExitOk);
  std::string node_key = trim(node.run({"export"}).out);
  auto s = org.run({"org-sign", node_key, "--name", "web-1", "--days", "30"});
  ASSERT_EQ(s.rc, kExitOk) << s.err;
  std::string cert_line = trim(read(org.path("certs/web-1.cert")));
  EXPECT_EQ(cert_line.rfind("meshward-cert:", 0), 0u);
  EXPECT_NE(s.out.find(cert_line), std::string::npos) << "printed so it can be pasted";
  ASSERT_TRUE(os::write_file_atomic(node.path("node.cert"), cert_line + "\n", 0644).ok());
  auto show = node.run({"config", "show"});
  EXPECT_EQ(show.rc, kExitOk) << show.err;
  EXPECT_NE(show.out.find("web-1."), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("status: valid"), std::string::npos) << show.out;
  // Thirty-one days later the same certificate is expired.
  auto later = node.run({"config", "show"}, "", false, 1'800'000'000 + 31 * 86400);
  EXPECT_NE(later.out.find("status: expired"), std::string::npos) << later.out;
}

TEST(CliOrg, SignOptionsAreChecked) {
  TempConfig c;
  ASSERT_EQ(c.run({"org-keygen"}).rc, kExitOk);
  std::string k = new_key();
  EXPECT_EQ(c.run({"org-sign", k, "--expires", "2027-02-31"}).rc, kExitError);
  EXPECT_EQ(c.run({"org-sign", k, "--expires", "tomorrow"}).rc, kExitError);
  EXPECT_EQ(c.run({"org-sign", k, "--expires", "2020-01-01"}).rc, kExitError);
  EXPECT_EQ(c.run({"org-sign", k, "--expires", "2030-01-01", "--days", "3"}).rc, kExitError);
  EXPECT_EQ(c.run({"org-sign", k, "--name", "Bad Name"}).rc, kExitError);
  EXPECT_EQ(c.run({"org-sign", k, "--expires", "2030-01-01", "--name", "n1"}).rc, kExitOk);
  auto never = c.run({"org-sign", k, "--days", "0", "--name", "n2"});
  EXPECT_EQ(never.rc, kExitOk);
  EXPECT_NE(never.out.find("expires never"), std::string::npos) << never.out;
}

TEST(CliOrg, RevokeAndVouchWriteSignedRecordsWithGrowingCounters) {
  TempConfig c;
  ASSERT_EQ(c.run({"org-keygen"}).rc, kExitOk);
  std::string k = new_key();
  auto r1 = c.run({"org-revoke", k, "--reason", "key-compromised"});
  ASSERT_EQ(r1.rc, kExitOk) << r1.err;
  auto r2 = c.run({"org-vouch", k});
  ASSERT_EQ(r2.rc, kExitOk) << r2.err;
  auto bad = c.run({"org-revoke", k, "--reason", "because"});
  EXPECT_EQ(bad.rc, kExitError);
  auto show = c.run({"config", "show", "--json"});
  auto j = nlohmann::json::parse(show.out);
  EXPECT_EQ(j["revocations"], 1);
  EXPECT_EQ(j["vouches"], 1);
  uint64_t first = std::stoull(trim(read(c.path("org/counter"))));
  ASSERT_EQ(c.run({"org-vouch", k}).rc, kExitOk);
  EXPECT_GT(std::stoull(trim(read(c.path("org/counter")))), first);
}

TEST(CliConfig, ShowOnAnEmptyDirectoryCreatesNothing) {
  TempConfig c;
  auto r = c.run({"config", "show"});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("none: run 'meshward keygen'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("admits: nobody but this node"), std::string::npos) << r.out;
  EXPECT_FALSE(os::file_exists(c.dir()));
}

TEST(CliConfig, ShowJsonListsPeersOrgsAndSettingsProblems) {
  TempConfig c;
  ASSERT_EQ(c.run({"keygen"}).rc, kExitOk);
  ASSERT_EQ(c.run({"trust", new_key(), "--name", "p"}).rc, kExitOk);
  ASSERT_EQ(c.run({"trust", new_key(), "--org", "--name", "acme"}).rc, kExitOk);
  auto j = nlohmann::json::parse(c.run({"config", "show", "--json"}).out);
  EXPECT_EQ(j["trusted_peers"].size(), 1u);
  EXPECT_EQ(j["trusted_orgs"][0]["name"], "acme");
  EXPECT_EQ(j["trusted_orgs"][0]["domain"].get<std::string>().size(), 6u);
  EXPECT_TRUE(j["problems"].empty());
  ASSERT_TRUE(os::write_file_atomic(c.path("meshward.toml"), "port = 99999\n", 0644).ok());
  auto bad = c.run({"config", "show"});
  EXPECT_EQ(bad.rc, kExitError);
  EXPECT_NE(bad.out.find("meshward.toml:1: port"), std::string::npos) << bad.out;
}

// One junk key file used to stop `up` from starting (a restart loop under systemd) while a
// reload with it kept the old trust: now it is skipped with a warning naming it, the good keys
// still load, and `config show` reports it as a problem.
TEST(CliConfig, AJunkKeyFileIsSkippedWithAWarning) {
  TempConfig c;
  ASSERT_EQ(c.run({"keygen"}).rc, kExitOk);
  ASSERT_EQ(c.run({"trust", new_key(), "--name", "good"}).rc, kExitOk);
  std::string junk = c.path("authorized_keys/junk.pub");
  ASSERT_TRUE(os::write_file_atomic(junk, "not a key\n", 0644).ok());

  std::vector<std::string> skipped;
  ConfigStore store(c.dir());
  auto identity = store.load_identity();
  ASSERT_TRUE(identity);
  auto trust = store.load_trust_store(identity->public_key, false, &skipped);
  ASSERT_TRUE(trust) << trust.error().message();
  EXPECT_EQ(trust->authorized_keys().size(), 1u) << "the good key still loads";
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].rfind(junk + ": ", 0), 0u) << skipped[0];

  auto up = c.run({"up"});  // no daemon in this build of the CLI: it stops after the checks
  EXPECT_NE(up.err.find("warning: skipping " + junk + ": "), std::string::npos) << up.err;
  EXPECT_EQ(up.err.find("error: " + junk), std::string::npos) << up.err;

  auto show = c.run({"config", "show", "--json"});
  EXPECT_EQ(show.rc, kExitError);
  auto j = nlohmann::json::parse(show.out);
  EXPECT_EQ(j["trusted_peers"].size(), 1u);
  ASSERT_EQ(j["problems"].size(), 1u);
  EXPECT_EQ(j["problems"][0].get<std::string>().rfind("skipped " + junk + ": ", 0), 0u);

  // A revocation takes trust away: a bad one stays an error rather than be skipped.
  ASSERT_TRUE(os::make_dirs(c.path("revoked"), 0700).ok());
  ASSERT_TRUE(os::write_file_atomic(c.path("revoked/x.revoke"), "junk\n", 0644).ok());
  EXPECT_FALSE(store.load_trust_store(identity->public_key, false, &skipped));
}

TEST(CliConfig, ConfiguredPrefixesGiveTheAddresses) {
  TempConfig c;
  ASSERT_TRUE(os::make_dirs(c.dir(), 0700).ok());
  ASSERT_TRUE(os::write_file_atomic(c.path("meshward.toml"),
                                    "ipv4_prefix = \"10.42.0.0/16\"\nipv6_prefix = \"fd42::/64\"\n",
                                    0644)
                  .ok());
  auto r = c.run({"keygen"});
  ASSERT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_NE(r.out.find("mesh IPv4:  10.42."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("mesh IPv6:  fd42::"), std::string::npos) << r.out;
  ASSERT_TRUE(
      os::write_file_atomic(c.path("meshward.toml"), "ipv4_prefix = \"10.42.0.0/33\"\n", 0644)
          .ok());
  auto bad = c.run({"config", "show"});
  EXPECT_EQ(bad.rc, kExitError);
  EXPECT_NE(bad.out.find("ipv4_prefix"), std::string::npos) << bad.out;
}

TEST(CliUp, WarnsWhenItTrustsNobody) {
  TempConfig c;
  ASSERT_EQ(c.run({"keygen"}).rc, kExitOk);
  auto up = c.run({"up"});  // no daemon in this build of the CLI: it stops after the checks
  EXPECT_NE(up.err.find("warning: " + c.dir() + " trusts no node and no org"), std::string::npos)
      << up.err;
  EXPECT_NE(up.err.find("meshward trust <key>"), std::string::npos) << up.err;
  // Open (tests only) admits everyone: nothing to warn of.
  EXPECT_EQ(c.run({"up", "--open"}).err.find("trusts no node"), std::string::npos);
  // One trusted key is enough.
  ASSERT_EQ(c.run({"trust", new_key(), "--name", "peer"}).rc, kExitOk);
  EXPECT_EQ(c.run({"up"}).err.find("trusts no node"), std::string::npos);
}

TEST(CliCompletion, PrintsABashScript) {
  TempConfig c;
  auto r = c.run({"completion", "bash"});
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_NE(r.out.find("complete -F _meshward meshward"), std::string::npos);
  EXPECT_EQ(c.run({"completion", "fish"}).rc, kExitUsage);
}

}  // namespace
}  // namespace mw::cli
