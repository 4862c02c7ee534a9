// SPDX-License-Identifier: Apache-2.0
// `meshward status [--json] [--socket PATH]` and `meshward peers [--json] [--socket PATH]`: ask
// the running daemon what it sees and print a summary and the member table, or the JSON.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <memory>
#include <ostream>

#include "cli/command.h"
#include "cli/control_client.h"
#include "control/status_json.h"

namespace mw::cli {
namespace {

struct ControlArgs {
  bool json = false;
  std::optional<std::string> socket;  // unset: control::control_socket_path's default
};

std::shared_ptr<ControlArgs> add_control_options(CLI::App* sub, bool json_flag) {
  auto args = std::make_shared<ControlArgs>();
  if (json_flag) sub->add_flag("--json", args->json, "print JSON instead of text");
  sub->add_option("--socket", args->socket,
                  "the daemon's control socket (default: $MESHWARD_SOCKET, else "
                  "/run/meshward/meshward.sock)");
  return args;
}

// "12s", "3m 4s", "2h 5m", "3d 4h".
std::string span_text(int64_t seconds) {
  if (seconds < 60) return fmt::format("{}s", seconds);
  if (seconds < 3600) return fmt::format("{}m {}s", seconds / 60, seconds % 60);
  if (seconds < 86400) return fmt::format("{}h {}m", seconds / 3600, seconds % 3600 / 60);
  return fmt::format("{}d {}h", seconds / 86400, seconds % 86400 / 3600);
}

std::string ago_text(int64_t then_unix, int64_t now_unix) {
  if (then_unix == 0) return "never";
  return span_text(std::max<int64_t>(now_unix - then_unix, 0)) + " ago";
}

// "512 B", "1.5 KiB", "3.2 GiB".
std::string bytes_text(uint64_t n) {
  if (n < 1024) return fmt::format("{} B", n);
  static constexpr std::array<const char*, 5> kUnits = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  double v = double(n) / 1024;
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < kUnits.size()) {
    v /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", v, kUnits[unit]);
}

std::string rtt_text(const std::optional<double>& rtt) {
  if (!rtt || !std::isfinite(*rtt)) return "-";
  return fmt::format("{:.1f} ms", *rtt);
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

void print_member_table(const Context& ctx, const std::vector<control::MemberStatus>& members) {
  int64_t now = ctx.now.unix_nanos / 1'000'000'000;
  std::vector<std::array<std::string, 10>> rows;
  rows.push_back(
      {"NAME", "KEY", "STATE", "PATH", "ENDPOINT", "MESH IPV4", "HANDSHAKE", "RX", "TX", "RTT"});
  for (const control::MemberStatus& m : members) {
    std::string ipv4 = or_dash(m.ipv4);
    if (!m.ipv4_routed) ipv4 += " (collision, not routed)";
    rows.push_back({or_dash(m.name), or_dash(m.identity.substr(0, 8)), or_dash(m.state),
                    m.via.empty() ? or_dash(m.path) : m.path + " (" + m.via + ")",
                    or_dash(m.endpoint), ipv4, ago_text(m.last_handshake_unix, now),
                    bytes_text(m.rx_bytes), bytes_text(m.tx_bytes), rtt_text(m.rtt_ms)});
  }
  std::array<size_t, 10> width{};
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i)
      line += i + 1 == row.size() ? row[i] : fmt::format("{:<{}}  ", row[i], width[i]);
    *ctx.out << line << "\n";
  }
  for (const control::MemberStatus& m : members)
    if (!m.ipv4_note.empty())
      *ctx.out << "note: " << or_dash(m.name) << " (" << m.identity.substr(0, 8)
               << "): " << m.ipv4_note << "\n";
}

// "3 (2 alive, 1 suspect)".
std::string member_counts(const std::vector<control::MemberStatus>& members) {
  std::vector<std::pair<std::string, size_t>> counts;
  for (const char* state : {"alive", "suspect", "dead", "left"}) counts.push_back({state, 0});
  for (const control::MemberStatus& m : members) {
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return c.first == m.state; });
    if (it == counts.end()) it = counts.insert(counts.end(), {m.state, 0});
    ++it->second;
  }
  std::string parts;
  for (const auto& [state, n] : counts) {
    if (n == 0) continue;
    parts += fmt::format("{}{} {}", parts.empty() ? "" : ", ", n, state);
  }
  if (parts.empty()) return "0";
  return fmt::format("{} ({})", members.size(), parts);
}

void print_status(const Context& ctx, const control::StatusReport& s) {
  int64_t now = ctx.now.unix_nanos / 1'000'000'000;
  std::ostream& o = *ctx.out;
  o << "meshward " << or_dash(s.version);
  if (s.started_unix != 0) o << ", up " << span_text(std::max<int64_t>(now - s.started_unix, 0));
  o << "\n"
    << "identity:    " << or_dash(s.identity) << "\n"
    << "interface:   " << or_dash(s.interface) << (s.gossip_only ? " (gossip only)" : "") << "\n"
    << "addresses:   " << or_dash(s.ipv4) << ", " << or_dash(s.ipv6) << "\n"
    << "port:        " << s.port << "\n"
    << "data path:   " << or_dash(s.data_path) << "\n"
    << "incarnation: " << s.incarnation << "\n"
    << "members:     " << member_counts(s.members) << "\n";
  if (s.members.empty()) return;
  o << "\n";
  print_member_table(ctx, s.members);
}

// Runs `command` against the daemon and prints what `show` makes of the report.
int query(const Context& ctx, const ControlArgs& args, control::Command command) {
  auto socket = control::control_socket_path(args.socket);
  if (!socket) return fail(ctx, socket.error().message());
  auto response = call_daemon(*socket, command);
  if (!response) return fail(ctx, response.error().message());
  if (!response->status) return fail(ctx, "the daemon's answer has no status");
  const control::StatusReport& s = *response->status;
  if (command == control::Command::kStatus) {
    if (args.json) {
      *ctx.out << control::dump_json(control::status_to_json(s), 2) << "\n";
    } else {
      print_status(ctx, s);
    }
  } else if (args.json) {
    nlohmann::json members = nlohmann::json::array();
    for (const control::MemberStatus& m : s.members) members.push_back(control::member_to_json(m));
    *ctx.out << control::dump_json(members, 2) << "\n";
  } else if (s.members.empty()) {
    *ctx.out << "no members\n";
  } else {
    print_member_table(ctx, s.members);
  }
  return kExitOk;
}

}  // namespace

void add_status(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("status", "show what the running daemon sees");
  auto args = add_control_options(sub, true);
  out.push_back({sub, [&ctx, args] { return query(ctx, *args, control::Command::kStatus); }});
}

void add_peers(CLI::App& root, Context& ctx, Commands& out) {
  auto* sub = root.add_subcommand("peers", "list the mesh members the running daemon knows");
  auto args = add_control_options(sub, true);
  out.push_back({sub, [&ctx, args] { return query(ctx, *args, control::Command::kPeers); }});
}

}  // namespace mw::cli
