// SPDX-License-Identifier: Apache-2.0
// Tests for meshward.toml: the accepted subset, exact error messages and format round trips.
#include "trust/settings.h"

#include <gtest/gtest.h>

namespace mw::trust {
namespace {

void expect_same(const UpSettings& a, const UpSettings& b) {
  EXPECT_EQ(a.seeds, b.seeds);
  EXPECT_EQ(a.stun, b.stun);
  EXPECT_EQ(a.port, b.port);
  EXPECT_EQ(a.interface, b.interface);
  EXPECT_EQ(a.announce, b.announce);
  EXPECT_EQ(a.open, b.open);
  EXPECT_EQ(a.gossip_only, b.gossip_only);
  EXPECT_EQ(a.metrics, b.metrics);
  EXPECT_EQ(a.ipv6_prefix, b.ipv6_prefix);
  EXPECT_EQ(a.ipv4_prefix, b.ipv4_prefix);
  EXPECT_EQ(a.port_mapping, b.port_mapping);
}

UpSettings parse_ok(std::string_view text) {
  auto r = parse_settings(text, "meshward.toml");
  EXPECT_TRUE(r.ok()) << r.error().message();
  return r.ok() ? *r : UpSettings{};
}

std::string parse_error(std::string_view text) {
  auto r = parse_settings(text, "meshward.toml");
  EXPECT_FALSE(r.ok()) << text;
  return r.ok() ? "" : r.error().message();
}

UpSettings full() {
  UpSettings s;
  s.seeds = {"203.0.113.7:51821", "[2001:db8::1]:51821", "seed.example.org:51821"};
  s.stun = {"stun.example.org:3478", "198.51.100.9"};
  s.port = 51821;
  s.interface = "mw0";
  s.announce = "198.51.100.4:51821";
  s.open = false;
  s.gossip_only = true;
  s.metrics = "127.0.0.1:9100";
  s.ipv6_prefix = "fd99:6d67::/64";
  s.ipv4_prefix = "10.99.0.0/16";
  s.port_mapping = "natpmp";
  return s;
}

TEST(SettingsTest, FullFileRoundTrip) {
  const UpSettings s = full();
  const std::string text = format_settings(s);
  const UpSettings back = parse_ok(text);
  expect_same(back, s);
  EXPECT_EQ(format_settings(back), text);
}

TEST(SettingsTest, EmptySettingsRoundTrip) {
  const UpSettings empty;
  const UpSettings back = parse_ok(format_settings(empty));
  expect_same(back, empty);
  expect_same(parse_ok(""), empty);
}

TEST(SettingsTest, EscapesRoundTrip) {
  UpSettings s;
  s.interface = "a\"b\\c\nd\te";
  s.seeds = {"", "x,y", "]", "#not a comment", "ünï"};
  s.open = true;
  s.port = 1;
  const UpSettings back = parse_ok(format_settings(s));
  expect_same(back, s);
  UpSettings edge;
  edge.port = 65535;
  expect_same(parse_ok(format_settings(edge)), edge);
}

TEST(SettingsTest, ParsesAHandWrittenFile) {
  const UpSettings s = parse_ok(
      "# meshward settings\n"
      "\n"
      "seeds = [ \"1.2.3.4:51821\" , \"[::1]:51821\", ]  # trailing comma is fine\n"
      "   port=51822\r\n"
      "\tinterface = \"mw1\"# no space before the comment\n"
      "open = true\n"
      "gossip_only = false\n"
      "metrics = \"127.0.0.1:9100\"\n"
      "   \n"
      "# ipv6_prefix = \"fd00::/64\"\n"
      "ipv4_prefix = \"10.1.0.0/16\"");
  EXPECT_EQ(s.seeds, (std::vector<std::string>{"1.2.3.4:51821", "[::1]:51821"}));
  EXPECT_EQ(s.port, 51822);
  EXPECT_EQ(s.interface, "mw1");
  EXPECT_EQ(s.open, true);
  EXPECT_EQ(s.gossip_only, false);
  EXPECT_EQ(s.metrics, "127.0.0.1:9100");
  EXPECT_FALSE(s.ipv6_prefix.has_value());
  EXPECT_EQ(s.ipv4_prefix, "10.1.0.0/16");
  EXPECT_FALSE(s.announce.has_value());
}

TEST(SettingsTest, Escapes) {
  EXPECT_EQ(parse_ok(R"(interface = "q\"b\\s\nn\tt")").interface, "q\"b\\s\nn\tt");
  EXPECT_EQ(parse_ok(R"(interface = "#hash")").interface, "#hash");
  EXPECT_EQ(parse_ok("interface = \"\"").interface, "");
  EXPECT_EQ(parse_ok("seeds = []").seeds, std::vector<std::string>{});
}

TEST(SettingsTest, StunServersAreTheirOwnList) {
  UpSettings s = parse_ok("stun = [\"10.99.0.2:3478\", \"stun.lab\"]\nseeds = [\"a:1\"]");
  EXPECT_EQ(s.stun, (std::vector<std::string>{"10.99.0.2:3478", "stun.lab"}));
  EXPECT_EQ(s.seeds, std::vector<std::string>{"a:1"});
  EXPECT_EQ(parse_error("stun = \"a:1\""),
            "meshward.toml:1: stun: expected a one-line array of strings");
}

TEST(SettingsTest, ErrorsNameFileLineAndKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"port = 0", "meshward.toml:1: port: expected an integer from 1 to 65535"},
      {"\n\nport = 65536", "meshward.toml:3: port: expected an integer from 1 to 65535"},
      {"port = -1", "meshward.toml:1: port: expected an integer from 1 to 65535"},
      {"port = 051821", "meshward.toml:1: port: expected an integer from 1 to 65535"},
      {"port = 9999999999", "meshward.toml:1: port: expected an integer from 1 to 65535"},
      {"port = \"51821\"", "meshward.toml:1: port: expected an integer from 1 to 65535"},
      {"port =", "meshward.toml:1: port: expected an integer from 1 to 65535"},
      {"port = 51821x", "meshward.toml:1: port: unexpected text after the value"},
      {"port = 1 2", "meshward.toml:1: port: unexpected text after the value"},
      {"colour = \"blue\"", "meshward.toml:1: colour: unknown key"},
      {"Port = 1", "meshward.toml:1: Port: unknown key"},
      {"port = 1\n# x\nport = 2", "meshward.toml:3: port: duplicate key (first set on line 1)"},
      {"seeds = []\nseeds = [\"a\"]",
       "meshward.toml:2: seeds: duplicate key (first set on line 1)"},
      {"[node]\nport = 1", "meshward.toml:1: tables are not supported"},
      {"port = 1\n  [[peers]]", "meshward.toml:2: tables are not supported"},
      {"port 1", "meshward.toml:1: port: expected '=' after the key"},
      {"port", "meshward.toml:1: port: expected '=' after the key"},
      {"= 1", "meshward.toml:1: expected key = value"},
      {"\"port\" = 1", "meshward.toml:1: expected key = value"},
      {"node.port = 1", "meshward.toml:1: node: expected '=' after the key"},
      {"open = yes", "meshward.toml:1: open: expected true or false"},
      {"open = True", "meshward.toml:1: open: expected true or false"},
      {"gossip_only = truely", "meshward.toml:1: gossip_only: expected true or false"},
      {"interface = mw0", "meshward.toml:1: interface: expected a string in double quotes"},
      {"interface = 'mw0'", "meshward.toml:1: interface: expected a string in double quotes"},
      {"interface = \"mw0", "meshward.toml:1: interface: unterminated string"},
      {"interface = \"mw0\\", "meshward.toml:1: interface: unterminated string"},
      {"interface = \"mw\\x0\"",
       "meshward.toml:1: interface: unsupported escape in string (only \\\" \\\\ \\n \\t)"},
      {"interface = \"mw\\u0030\"",
       "meshward.toml:1: interface: unsupported escape in string (only \\\" \\\\ \\n \\t)"},
      {"interface = \"a\tb\"",
       "meshward.toml:1: interface: control character in string (use \\n or \\t)"},
      {"metrics = \"a\x01\"",
       "meshward.toml:1: metrics: control character in string (use \\n or \\t)"},
      {"metrics = \"a\x7f\"",
       "meshward.toml:1: metrics: control character in string (use \\n or \\t)"},
      {"announce = \"a\" \"b\"", "meshward.toml:1: announce: unexpected text after the value"},
      {"seeds = \"a:1\"", "meshward.toml:1: seeds: expected a one-line array of strings"},
      {"seeds = [1]", "meshward.toml:1: seeds: expected a one-line array of strings"},
      {"seeds = [\"a\"", "meshward.toml:1: seeds: expected a one-line array of strings"},
      {"seeds = [\"a\" \"b\"]", "meshward.toml:1: seeds: expected a one-line array of strings"},
      {"seeds = [,]", "meshward.toml:1: seeds: expected a one-line array of strings"},
      {"seeds = [\n\"a\"]", "meshward.toml:1: seeds: expected a one-line array of strings"},
      {"seeds = [\"a\x02\"]",
       "meshward.toml:1: seeds: control character in string (use \\n or \\t)"},
      {"seeds = [\"a\"] x", "meshward.toml:1: seeds: unexpected text after the value"},
  };
  for (const auto& [text, error] : cases) EXPECT_EQ(parse_error(text), error) << text;
}

TEST(SettingsTest, FileNameIsUsedInErrors) {
  auto r = parse_settings("x = 1", "/etc/meshward/meshward.toml");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "/etc/meshward/meshward.toml:1: x: unknown key");
}

TEST(SettingsTest, CommentsAndBlankLines) {
  const UpSettings s = parse_ok("# only comments\n\n   # indented\n\t\n#port = 0\r\n\n");
  expect_same(s, UpSettings{});
  EXPECT_EQ(parse_ok("port = 7 # seven\n").port, 7);
  EXPECT_EQ(parse_ok("open = false#x").open, false);
}

TEST(SettingsTest, FormatLeavesOutUnrepresentableControlCharacters) {
  UpSettings s;
  s.interface = std::string(
      "a\x01"
      "b\rc",
      5);
  EXPECT_EQ(parse_ok(format_settings(s)).interface, "abc");
}

TEST(SettingsTest, PortMappingTakesAModeOrABoolean) {
  EXPECT_EQ(parse_ok("port_mapping = false").port_mapping, "off");
  EXPECT_EQ(parse_ok("port_mapping = true").port_mapping, "auto");
  EXPECT_EQ(parse_ok("port_mapping = \"pcp\"  # only PCP").port_mapping, "pcp");
  EXPECT_FALSE(parse_ok("port = 1").port_mapping);
  const std::string want =
      "meshward.toml:1: port_mapping: expected \"auto\", \"upnp\", \"natpmp\", \"pcp\", "
      "\"off\", true or false";
  EXPECT_EQ(parse_error("port_mapping = \"igd\""), want);
  EXPECT_EQ(parse_error("port_mapping = 0"), want);
}

}  // namespace
}  // namespace mw::trust
