// SPDX-License-Identifier: Apache-2.0
// The parts of the port-mapping clients that need no gateway: the default route's parser and
// the UDP exchange against a local responder.
#include "os/port_mapping.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <span>
#include <thread>

#include "os/udp_socket.h"

namespace mw::os {
namespace {

TEST(DefaultGateway, ReadsTheDefaultRoute) {
  const char* table =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t0000CE0A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "eth0\t00000000\t0100CE0A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n";
  auto gw = parse_default_gateway(table);
  ASSERT_TRUE(gw.ok()) << gw.error().message();
  EXPECT_EQ(gw->to_string(), "10.206.0.1");
  auto none = parse_default_gateway(
      "Iface\tDestination\tGateway\tFlags\n"
      "eth0\t0000CE0A\t00000000\t0001\n");
  EXPECT_FALSE(none.ok());
}

// Receives one datagram within 3 s (polling the non-blocking socket).
std::optional<std::vector<uint8_t>> receive(UdpSocket& s, base::Endpoint* from) {
  std::array<uint8_t, 256> buffer;
  for (int i = 0; i < 300; ++i) {
    DatagramSlot slot{buffer.data(), buffer.size(), 0, {}, 0};
    auto n = s.recv_batch(std::span(&slot, 1));
    if (n.ok() && *n == 1) {
      *from = slot.peer;
      return std::vector<uint8_t>(buffer.begin(), buffer.begin() + slot.length);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

void send(UdpSocket& s, const base::Endpoint& to, std::vector<uint8_t> d) {
  DatagramSlot slot{d.data(), d.size(), d.size(), to, d.size()};
  uint64_t dropped = 0;
  s.send_batch(std::span(&slot, 1), &dropped);
}

TEST(UdpExchange, RetransmitsUntilAnAcceptedAnswer) {
  auto server = UdpSocket::bind(false, 0);
  ASSERT_TRUE(server.ok()) << server.error().message();
  base::Endpoint at{*base::IpAddress::parse("127.0.0.1"), server->port()};
  std::atomic<int> requests{0};
  std::thread responder([&] {
    // Ignores the first request; answers the second with garbage, then with the real thing.
    for (int i = 0; i < 2; ++i) {
      base::Endpoint from;
      auto got = receive(*server, &from);
      if (!got) return;
      ++requests;
      if (i == 0) continue;
      send(*server, from, {9, 9});
      got->push_back(0xAA);
      send(*server, from, *got);
    }
  });
  base::IpAddress seen;
  auto reply = udp_exchange(
      at,
      [&](const base::IpAddress& local) {
        seen = local;
        return std::vector<uint8_t>{1, 2, 3};
      },
      [](base::Bytes d) { return d.size() == 4 && d[3] == 0xAA; }, base::Duration::seconds(3));
  responder.join();
  ASSERT_TRUE(reply.ok()) << reply.error().message();
  EXPECT_EQ(*reply, (std::vector<uint8_t>{1, 2, 3, 0xAA}));
  EXPECT_EQ(seen.to_string(), "127.0.0.1");
  EXPECT_EQ(requests.load(), 2);
}

TEST(UdpExchange, GivesUpAfterTheWait) {
  auto server = UdpSocket::bind(false, 0);
  ASSERT_TRUE(server.ok());
  base::Endpoint at{*base::IpAddress::parse("127.0.0.1"), server->port()};
  auto reply = udp_exchange(
      at, [](const base::IpAddress&) { return std::vector<uint8_t>{1}; },
      [](base::Bytes) { return true; }, base::Duration::millis(300));
  EXPECT_FALSE(reply.ok());
}

}  // namespace
}  // namespace mw::os
