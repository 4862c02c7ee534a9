// SPDX-License-Identifier: Apache-2.0
// Tests for the control protocol codec: round trips, the exact JSON, and every reject path of
// decode_request and decode_response.
#include "control/protocol.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "control/status_json.h"

namespace mw::control {
namespace {

StatusReport sample_status() {
  StatusReport s;
  s.version = "0.1.0";
  s.identity = std::string(43, 'A') + "=";
  s.interface = "mw0";
  s.ipv4 = "10.99.1.2";
  s.ipv6 = "fd99::1:2";
  s.port = 51820;
  s.incarnation = 7;
  s.started_unix = 1'800'000'000;
  s.gossip_only = true;
  s.data_path = "epoll, UDP GSO on";
  MemberStatus m;
  m.identity = std::string(43, 'B') + "=";
  m.name = "laptop";
  m.state = "alive";
  m.endpoint = "192.0.2.1:51820";
  m.ipv4 = "10.99.3.4";
  m.ipv6 = "fd99::3:4";
  m.ipv4_routed = false;
  m.ipv4_note = "collides with desk";
  m.admitted_by = "authorized key";
  m.last_handshake_unix = 1'800'000'100;
  m.rx_bytes = std::numeric_limits<uint64_t>::max();
  m.tx_bytes = 12345;
  m.rtt_ms = 1.25;
  m.incarnation = 3;
  s.members.push_back(m);
  m.name = "";
  m.state = "dead";
  m.rtt_ms.reset();
  m.last_handshake_unix = -5;
  s.members.push_back(m);
  return s;
}

std::string error_of(std::string_view line) {
  auto r = decode_request(line);
  EXPECT_FALSE(r.ok()) << line;
  return r.ok() ? "" : r.error().message();
}

std::string response_error_of(std::string_view line) {
  auto r = decode_response(line);
  EXPECT_FALSE(r.ok()) << line;
  return r.ok() ? "" : r.error().message();
}

TEST(ControlProtocol, DefaultSocketPath) {
  unsetenv("MESHWARD_SOCKET");
  EXPECT_EQ(default_socket_path(), "/run/meshward/meshward.sock");
  setenv("MESHWARD_SOCKET", "", 1);
  EXPECT_EQ(default_socket_path(), "/run/meshward/meshward.sock");
  setenv("MESHWARD_SOCKET", "/tmp/x.sock", 1);
  EXPECT_EQ(default_socket_path(), "/tmp/x.sock");
  unsetenv("MESHWARD_SOCKET");
}

TEST(ControlProtocol, RequestRoundTripsAndExactForm) {
  EXPECT_EQ(encode_request({}), "{\"command\":\"status\",\"version\":1}\n");
  for (Command c : {Command::kStatus, Command::kPeers, Command::kDown, Command::kNetcheck}) {
    Request r{kProtocolVersion, c};
    std::string line = encode_request(r);
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    auto back = decode_request(line);
    ASSERT_TRUE(back.ok()) << back.error().message();
    EXPECT_EQ(*back, r);
  }
  auto plain = decode_request(R"({"version":1,"command":"down"})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->command, Command::kDown);
  EXPECT_TRUE(decode_request("{\"version\":1,\"command\":\"peers\"}\r\n").ok());
  EXPECT_TRUE(decode_request(" { \"version\" : 1 , \"command\" : \"peers\" } ").ok());
}

TEST(ControlProtocol, RequestRejects) {
  EXPECT_EQ(error_of(""), "request is not valid JSON");
  EXPECT_EQ(error_of("{"), "request is not valid JSON");
  EXPECT_EQ(error_of("[1]"), "request must be a JSON object");
  EXPECT_EQ(error_of("\"status\""), "request must be a JSON object");
  EXPECT_EQ(error_of("{\"version\":1,\n\"command\":\"status\"}"), "request must be a single line");
  EXPECT_EQ(error_of("{\"version\":1,\"command\":\"status\"}\n\n"),
            "request must be a single line");
  EXPECT_EQ(error_of(R"({"command":"status"})"), "request has no \"version\"");
  EXPECT_EQ(error_of(R"({"version":1})"), "request has no \"command\"");
  EXPECT_EQ(error_of(R"({"version":"1","command":"status"})"), "version: expected an integer");
  EXPECT_EQ(error_of(R"({"version":1.5,"command":"status"})"), "version: expected an integer");
  EXPECT_EQ(error_of(R"({"version":99999999999,"command":"status"})"), "version: out of range");
  EXPECT_EQ(error_of(R"({"version":2,"command":"status"})"),
            "daemon speaks control protocol 1, client sent 2");
  EXPECT_EQ(error_of(R"({"version":-1,"command":"status"})"),
            "daemon speaks control protocol 1, client sent -1");
  EXPECT_EQ(error_of(R"({"version":1,"command":7})"), "command: expected a string");
  EXPECT_EQ(error_of(R"({"version":1,"command":"reboot"})"),
            "unknown command \"reboot\" (known: status, peers, down, netcheck)");
  EXPECT_EQ(error_of(R"({"version":1,"command":"Status"})"),
            "unknown command \"Status\" (known: status, peers, down, netcheck)");
  EXPECT_EQ(error_of(R"({"version":1,"command":"status","force":true})"),
            "unknown field \"force\" in request");
  std::string padded =
      "{\"version\":1,\"command\":\"status\"" + std::string(kMaxRequestLen, ' ') + "}";
  EXPECT_EQ(error_of(padded),
            fmt::format("request too long ({} bytes; the limit is 4096)", padded.size()));
  std::string exact = "{\"version\":1,\"command\":\"status\"";
  exact += std::string(kMaxRequestLen - exact.size() - 1, ' ') + "}";
  ASSERT_EQ(exact.size(), kMaxRequestLen);
  EXPECT_TRUE(decode_request(exact + "\r\n").ok()) << "the limit excludes the line end";
  EXPECT_EQ(error_of(exact + " \n"), "request too long (4097 bytes; the limit is 4096)");
}

TEST(ControlProtocol, ResponseRoundTrips) {
  Response ok;
  ok.status = sample_status();
  std::string line = encode_response(ok);
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  auto back = decode_response(line);
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(*back, ok);
  EXPECT_EQ(encode_response(*back), line);

  Response down;
  down.stopping = true;
  EXPECT_EQ(encode_response(down), "{\"ok\":true,\"stopping\":true,\"version\":1}\n");
  EXPECT_EQ(decode_response(encode_response(down)).value(), down);

  Response netcheck;
  netcheck.netcheck = NetcheckReport{};
  netcheck.netcheck->source = "daemon";
  netcheck.netcheck->port = 51821;
  netcheck.netcheck->mapping_v4 = "endpoint-independent";
  netcheck.netcheck->hairpin = "no";
  netcheck.netcheck->filtering_v4 = "address-dependent";
  netcheck.netcheck->announced = {"10.99.1.1:51821 (reflexive)"};
  netcheck.netcheck->reflexive_v4 = {"10.99.1.1:51821"};
  netcheck.netcheck->local = {"10.201.0.2:51821"};
  netcheck.netcheck->stun = {
      {"stun.lab:3478", "10.99.0.2:3478", "ok", "10.99.1.1:51821", 1.5, 0, ""},
      {"nx.lab", "", "unresolved", "", std::nullopt, 0, "no such host"}};
  netcheck.netcheck->observers = {{"member", "key", "10.99.0.3:51821", "10.99.1.1:51821", 2.5}};
  netcheck.netcheck->port_mapping = {"mapped", "upnp", "10.99.1.6:51821",  "10.206.0.1",
                                     3599.5,   true,   "natpmp: no answer"};
  auto netcheck_back = decode_response(encode_response(netcheck));
  ASSERT_TRUE(netcheck_back.ok()) << netcheck_back.error().message();
  EXPECT_EQ(*netcheck_back, netcheck);

  Response refused;
  refused.ok = false;
  refused.error = "permission denied: uid 1000";
  EXPECT_EQ(encode_response(refused),
            "{\"error\":\"permission denied: uid 1000\",\"ok\":false,\"version\":1}\n");
  EXPECT_EQ(decode_response(encode_response(refused)).value(), refused);
}

TEST(ControlProtocol, ResponseNeverThrowsOnBadUtf8OrNonFiniteRtt) {
  Response r;
  r.status = sample_status();
  r.status->members[0].name = "bad\xff\xfe";
  r.status->members[0].rtt_ms = std::numeric_limits<double>::quiet_NaN();
  r.status->members[1].rtt_ms = std::numeric_limits<double>::infinity();
  auto back = decode_response(encode_response(r));
  ASSERT_TRUE(back.ok()) << back.error().message();
  EXPECT_EQ(back->status->members[0].name, "bad\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_FALSE(back->status->members[0].rtt_ms.has_value());
  EXPECT_FALSE(back->status->members[1].rtt_ms.has_value());
}

TEST(ControlProtocol, ResponseToleratesUnknownAndMissingFields) {
  auto r = decode_response(R"({"version":1,"ok":true,"future":{"x":1},"status":{"port":7,"new":[],)"
                           R"("members":[{"name":"a","rtt_ms":3,"extra":null}]}})");
  ASSERT_TRUE(r.ok()) << r.error().message();
  EXPECT_EQ(r->status->port, 7);
  EXPECT_EQ(r->status->interface, "");
  ASSERT_EQ(r->status->members.size(), 1u);
  EXPECT_EQ(r->status->members[0].rtt_ms, 3.0);
  EXPECT_TRUE(r->status->members[0].ipv4_routed) << "default";
}

TEST(ControlProtocol, ResponseFromAnotherVersion) {
  EXPECT_EQ(response_error_of(R"({"version":2,"ok":true,"status":{}})"),
            "daemon speaks control protocol 2, this client speaks 1");
  auto passed = decode_response(
      R"({"version":2,"ok":false,"error":"daemon speaks control protocol 2, client sent 1"})");
  ASSERT_TRUE(passed.ok());
  EXPECT_FALSE(passed->ok);
  EXPECT_EQ(passed->error, "daemon speaks control protocol 2, client sent 1");
}

TEST(ControlProtocol, ResponseRejects) {
  EXPECT_EQ(response_error_of("nope"), "response is not valid JSON");
  EXPECT_EQ(response_error_of("[]"), "response must be a JSON object");
  EXPECT_EQ(response_error_of("{\"version\":1,\r\"ok\":true}"), "response must be a single line");
  EXPECT_EQ(response_error_of(R"({"ok":true})"), "response has no \"version\"");
  EXPECT_EQ(response_error_of(R"({"version":1})"), "response has no \"ok\"");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":"yes"})"), "ok: expected true or false");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"error":5})"), "error: expected a string");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"stopping":1})"),
            "stopping: expected true or false");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":false})"), "daemon refused without saying why");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"error":"x"})"),
            "response has \"ok\": true and an error");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":[]})"),
            "status: expected an object");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":{"members":{}}})"),
            "status.members: expected an array");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":{"members":[1]}})"),
            "status.members[0]: expected an object");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":{"port":70000}})"),
            "status.port: out of range");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":{"port":-1}})"),
            "status.port: expected a non-negative integer");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":{"interface":1}})"),
            "status.interface: expected a string");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":{"gossip_only":"no"}})"),
            "status.gossip_only: expected true or false");
  EXPECT_EQ(response_error_of(
                R"({"version":1,"ok":true,"status":{"started_unix":18446744073709551615}})"),
            "status.started_unix: out of range");
  EXPECT_EQ(
      response_error_of(R"({"version":1,"ok":true,"status":{"members":[{},{"rx_bytes":1.5}]}})"),
      "status.members[1].rx_bytes: expected a non-negative integer");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":{"members":[{"rtt_ms":"1"}]}})"),
            "status.members[0].rtt_ms: expected a number or null");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"status":{"members":[{"rtt_ms":1e999}]}})"),
            "response is not valid JSON");
  nlohmann::json infinite = {{"members", {{{"rtt_ms", std::numeric_limits<double>::infinity()}}}}};
  auto from_json = status_from_json(infinite);
  ASSERT_FALSE(from_json.ok());
  EXPECT_EQ(from_json.error().message(), "status.members[0].rtt_ms: out of range");
  EXPECT_EQ(response_error_of(
                R"({"version":1,"ok":true,"status":{"members":[{"last_handshake_unix":true}]}})"),
            "status.members[0].last_handshake_unix: expected an integer");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"netcheck":[]})"),
            "netcheck: expected an object");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"netcheck":{"reflexive_v4":[1]}})"),
            "netcheck.reflexive_v4: expected an array of strings");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"netcheck":{"port_mapping":1}})"),
            "netcheck.port_mapping: expected an object");
  EXPECT_EQ(response_error_of(
                R"({"version":1,"ok":true,"netcheck":{"port_mapping":{"verified":"yes"}}})"),
            "netcheck.port_mapping.verified: expected true or false");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"netcheck":{"stun":[{"rtt_ms":"x"}]}})"),
            "netcheck.stun: netcheck.stun[0].rtt_ms: expected a number or null");
  EXPECT_EQ(response_error_of(R"({"version":1,"ok":true,"netcheck":{"observers":[7]}})"),
            "netcheck.observers: expected objects");
  std::string huge(kMaxResponseLen + 3, ' ');
  EXPECT_EQ(response_error_of(huge).rfind("response too long", 0), 0u);
}

TEST(ControlProtocol, StatusJsonFieldNames) {
  nlohmann::json j = status_to_json(sample_status());
  for (const char* key : {"version", "identity", "interface", "ipv4", "ipv6", "port", "incarnation",
                          "started_unix", "gossip_only", "data_path", "members"})
    EXPECT_TRUE(j.contains(key)) << key;
  const nlohmann::json& m = j["members"][0];
  for (const char* key :
       {"identity", "name", "state", "endpoint", "ipv4", "ipv6", "ipv4_routed", "ipv4_note",
        "admitted_by", "last_handshake_unix", "rx_bytes", "tx_bytes", "rtt_ms", "incarnation"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_TRUE(j["members"][1]["rtt_ms"].is_null());
  EXPECT_EQ(status_from_json(j).value(), sample_status());
  EXPECT_EQ(dump_json(nlohmann::json("\xff"), 2), "\"\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace mw::control
