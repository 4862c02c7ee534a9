// SPDX-License-Identifier: Apache-2.0
// Tests for the Prometheus writer (exact text, grouping, escaping, every refusal) and the
// metrics endpoint's HTTP parsing and responses.
#include "control/metrics.h"

#include <gtest/gtest.h>

#include <limits>

namespace mw::control {
namespace {

TEST(MetricsWriter, ExactExpositionGroupedByFamily) {
  MetricsWriter w;
  EXPECT_TRUE(w.counter("mw_rx_bytes_total", "Bytes received.", {{"peer", "a"}}, 10));
  EXPECT_TRUE(w.gauge("mw_members", "Members by state.", {{"state", "alive"}}, 3));
  EXPECT_TRUE(w.counter("mw_rx_bytes_total", "Bytes received.", {{"peer", "b"}}, 2.5));
  EXPECT_TRUE(w.gauge("mw_up", "1 when running.", {}, 1));
  EXPECT_TRUE(w.gauge("mw_members", "Members by state.", {{"state", "dead"}}, 0));
  EXPECT_EQ(w.finish(),
            "# HELP mw_rx_bytes_total Bytes received.\n"
            "# TYPE mw_rx_bytes_total counter\n"
            "mw_rx_bytes_total{peer=\"a\"} 10\n"
            "mw_rx_bytes_total{peer=\"b\"} 2.5\n"
            "# HELP mw_members Members by state.\n"
            "# TYPE mw_members gauge\n"
            "mw_members{state=\"alive\"} 3\n"
            "mw_members{state=\"dead\"} 0\n"
            "# HELP mw_up 1 when running.\n"
            "# TYPE mw_up gauge\n"
            "mw_up 1\n");
  EXPECT_EQ(w.finish(), "") << "finish empties the writer";
  EXPECT_EQ(w.rejected_count(), 0u);
}

TEST(MetricsWriter, EscapesAndSpecialValues) {
  MetricsWriter w;
  EXPECT_TRUE(w.gauge("g", "a \\ help\nline \"q\"", {{"a", "x\\y\"z\nw"}, {"b", ""}},
                      std::numeric_limits<double>::quiet_NaN()));
  EXPECT_TRUE(w.gauge("g", "ignored", {{"a", "2"}}, std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(w.gauge("g", "", {{"a", "3"}}, -std::numeric_limits<double>::infinity()));
  EXPECT_TRUE(w.gauge("g", "", {{"a", "4"}}, 1e21));
  EXPECT_TRUE(w.gauge("g", "", {{"a", "5"}}, 18446744073709551615.0));
  EXPECT_TRUE(w.gauge("g", "", {{"a", "6"}}, -0.125));
  EXPECT_EQ(w.finish(),
            "# HELP g a \\\\ help\\nline \"q\"\n"
            "# TYPE g gauge\n"
            "g{a=\"x\\\\y\\\"z\\nw\",b=\"\"} NaN\n"
            "g{a=\"2\"} +Inf\n"
            "g{a=\"3\"} -Inf\n"
            "g{a=\"4\"} 1e+21\n"
            "g{a=\"5\"} 1.8446744073709552e+19\n"
            "g{a=\"6\"} -0.125\n");
}

TEST(MetricsWriter, RefusesInvalidSamples) {
  MetricsWriter w;
  EXPECT_TRUE(w.counter("ok:name_1", "h", {{"l", "v"}}, 1));
  EXPECT_FALSE(w.counter("", "h", {}, 1));
  EXPECT_FALSE(w.counter("1abc", "h", {}, 1));
  EXPECT_FALSE(w.counter("a-b", "h", {}, 1));
  EXPECT_FALSE(w.counter("a b", "h", {}, 1));
  EXPECT_FALSE(w.gauge("g", "h", {{"1l", "v"}}, 1)) << "label name starts with a digit";
  EXPECT_FALSE(w.gauge("g", "h", {{"a:b", "v"}}, 1)) << "no colons in label names";
  EXPECT_FALSE(w.gauge("g", "h", {{"__name__", "v"}}, 1)) << "reserved";
  EXPECT_FALSE(w.gauge("g", "h", {{"", "v"}}, 1));
  EXPECT_FALSE(w.gauge("g", "h", {{"a", "1"}, {"a", "2"}}, 1)) << "repeated label";
  EXPECT_FALSE(w.gauge("ok:name_1", "h", {{"l", "w"}}, 1)) << "type conflict";
  EXPECT_FALSE(w.counter("ok:name_1", "h", {{"l", "v"}}, 2)) << "duplicate sample";
  EXPECT_FALSE(w.counter("c", "h", {}, -1)) << "negative counter";
  EXPECT_TRUE(w.gauge("g2", "h", {}, -1)) << "negative gauge is fine";
  EXPECT_EQ(w.rejected_count(), 12u);
  EXPECT_EQ(w.finish(),
            "# HELP ok:name_1 h\n# TYPE ok:name_1 counter\nok:name_1{l=\"v\"} 1\n"
            "# HELP g2 h\n# TYPE g2 gauge\ng2 -1\n");
}

TEST(MetricsNames, Validation) {
  EXPECT_TRUE(valid_metric_name("_x"));
  EXPECT_TRUE(valid_metric_name(":x:"));
  EXPECT_TRUE(valid_metric_name("Ab_9"));
  EXPECT_FALSE(valid_metric_name("9"));
  EXPECT_FALSE(valid_metric_name("é"));
  EXPECT_TRUE(valid_label_name("_x"));
  EXPECT_FALSE(valid_label_name("__x"));
  EXPECT_FALSE(valid_label_name("x.y"));
}

TEST(MetricsHttp, HeadEnd) {
  EXPECT_EQ(http_head_end(""), 0u);
  EXPECT_EQ(http_head_end("GET / HTTP/1.0\r\n"), 0u);
  EXPECT_EQ(http_head_end("GET / HTTP/1.0\r\n\r"), 0u);
  EXPECT_EQ(http_head_end("GET / HTTP/1.0\r\n\r\nrest"), 18u);
  EXPECT_EQ(http_head_end("GET / HTTP/1.0\n\nrest"), 16u);
  EXPECT_EQ(http_head_end("GET / HTTP/1.0\r\nA: b\n\r\n"), 23u);
}

TEST(MetricsHttp, ParsesGetPath) {
  EXPECT_EQ(parse_http_get_path("GET /metrics HTTP/1.0\r\n\r\n").value(), "/metrics");
  EXPECT_EQ(parse_http_get_path("GET /metrics?x=1&y HTTP/1.1\r\nHost: a:9100\r\n"
                                "User-Agent: Prometheus/2.0\r\nAccept: */*\r\n\r\n")
                .value(),
            "/metrics");
  EXPECT_EQ(parse_http_get_path("GET / HTTP/1.1\nHost:\tx\n\n").value(), "/");
}

TEST(MetricsHttp, RejectsEverythingElse) {
  auto err = [](std::string_view head) {
    auto r = parse_http_get_path(head);
    EXPECT_FALSE(r.ok()) << head;
    return r.ok() ? std::string() : r.error().message();
  };
  EXPECT_EQ(err(""), "incomplete request head");
  EXPECT_EQ(err("GET /metrics HTTP/1.0\r\n"), "incomplete request head");
  EXPECT_EQ(err("GET / HTTP/1.0\r\n\r\nbody"), "data after the request head");
  EXPECT_EQ(err("\r\n\r\n"), "malformed request line");
  EXPECT_EQ(err("GET /metrics\r\n\r\n"), "malformed request line");
  EXPECT_EQ(err("GET  /metrics HTTP/1.0\r\n\r\n"), "malformed request line");
  EXPECT_EQ(err("GET /a b HTTP/1.0\r\n\r\n"), "malformed request line");
  EXPECT_EQ(err("GET /metrics HTTP/2\r\n\r\n"), "unsupported HTTP version");
  EXPECT_EQ(err("POST /metrics HTTP/1.1\r\n\r\n"), "method not allowed (only GET)");
  EXPECT_EQ(err("get /metrics HTTP/1.1\r\n\r\n"), "method not allowed (only GET)");
  EXPECT_EQ(err("GET metrics HTTP/1.1\r\n\r\n"), "request target must be a path");
  EXPECT_EQ(err("GET http://x/ HTTP/1.1\r\n\r\n"), "request target must be a path");
  EXPECT_EQ(err("GET /\x01 HTTP/1.1\r\n\r\n"), "invalid character in request target");
  EXPECT_EQ(err("GET /\x80 HTTP/1.1\r\n\r\n"), "invalid character in request target");
  EXPECT_EQ(err("GET / HTTP/1.1\r\nnocolon\r\n\r\n"), "malformed header line");
  EXPECT_EQ(err("GET / HTTP/1.1\r\n: v\r\n\r\n"), "malformed header line");
  EXPECT_EQ(err("GET / HTTP/1.1\r\n folded: v\r\n\r\n"), "invalid character in header name");
  EXPECT_EQ(err("GET / HTTP/1.1\r\nA: \x01\r\n\r\n"), "invalid character in header value");
  std::string big = "GET / HTTP/1.1\r\nX: " + std::string(kMaxHttpHeadLen, 'a') + "\r\n\r\n";
  EXPECT_EQ(err(big), "request head too long (over 8192 bytes)");
}

TEST(MetricsHttp, Responses) {
  EXPECT_EQ(http_response(200, MetricsWriter::kContentType, "up 1\n"),
            "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
            "Content-Length: 5\r\nConnection: close\r\n\r\nup 1\n");
  EXPECT_EQ(http_response(405, "text/plain", ""),
            "HTTP/1.0 405 Method Not Allowed\r\nContent-Type: text/plain\r\nContent-Length: 0\r\n"
            "Allow: GET\r\nConnection: close\r\n\r\n");
  for (auto [code, reason] :
       {std::pair{400, "Bad Request"}, std::pair{404, "Not Found"},
        std::pair{431, "Request Header Fields Too Large"}, std::pair{500, "Internal Server Error"},
        std::pair{503, "Service Unavailable"}, std::pair{418, "Error"}})
    EXPECT_EQ(
        http_response(code, "t", "x").rfind(fmt::format("HTTP/1.0 {} {}\r\n", code, reason), 0),
        0u);
}

}  // namespace
}  // namespace mw::control
