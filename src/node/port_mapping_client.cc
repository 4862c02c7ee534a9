// SPDX-License-Identifier: Apache-2.0
// The system MappingClient: UPnP-IGD and NAT-PMP by their libraries, PCP by our codec.
#include "node/port_mapping_client.h"

#include "base/log.h"
#include "nat/pcp.h"
#include "os/port_mapping.h"

namespace mw::node {
namespace {

constexpr base::Duration kDiscoverWait = base::Duration::seconds(2);
constexpr base::Duration kGatewayWait = base::Duration::seconds(2);

class SystemMappingClient final : public MappingClient {
 public:
  explicit SystemMappingClient(std::function<uint64_t()> rng) : rng_(std::move(rng)) {}

  base::Result<nat::PortMapping> map(nat::MappingProtocol protocol, uint16_t internal_port,
                                     uint16_t suggested_port, base::Duration lifetime) override {
    switch (protocol) {
      case nat::MappingProtocol::kUpnp: {
        auto m = os::upnp_map(internal_port, lifetime, kDiscoverWait);
        if (!m) return m.error();
        upnp_ = *m;
        return to_mapping(protocol, m->mapping);
      }
      case nat::MappingProtocol::kNatPmp: {
        auto m = os::natpmp_map(internal_port, suggested_port, lifetime, kGatewayWait);
        if (!m) return m.error();
        return to_mapping(protocol, *m);
      }
      case nat::MappingProtocol::kPcp: return pcp(internal_port, suggested_port, lifetime);
      case nat::MappingProtocol::kNone: break;
    }
    return base::make_error("no such port-mapping protocol");
  }

  base::Result<void> unmap(const nat::PortMapping& m) override {
    switch (m.protocol) {
      case nat::MappingProtocol::kUpnp:
        if (!upnp_) return base::make_error("UPnP: no mapping to delete");
        return os::upnp_unmap(*upnp_);
      case nat::MappingProtocol::kNatPmp: {
        auto r = os::natpmp_map(m.internal_port, 0, base::Duration::zero(), kGatewayWait);
        if (!r) return r.error();
        return {};
      }
      case nat::MappingProtocol::kPcp: {
        auto r = pcp(m.internal_port, 0, base::Duration::zero());
        if (!r) return r.error();
        return {};
      }
      case nat::MappingProtocol::kNone: break;
    }
    return {};
  }

 private:
  static nat::PortMapping to_mapping(nat::MappingProtocol p, const os::GatewayMapping& g) {
    return nat::PortMapping{p, g.external, g.gateway, g.internal_port, g.lifetime};
  }

  // One MAP exchange with the default gateway (RFC 6887 §11); lifetime zero deletes (§15).
  // The nonce is kept: a renewal or deletion must carry the one that created the mapping.
  base::Result<nat::PortMapping> pcp(uint16_t internal_port, uint16_t suggested_port,
                                     base::Duration lifetime) {
    auto gateway = os::default_gateway();
    if (!gateway) return gateway.error();
    if (!nonce_) {
      nat::PcpNonce n;
      uint64_t a = rng_(), b = rng_();
      for (size_t i = 0; i < 8; ++i) n[i] = uint8_t(a >> (8 * i));
      for (size_t i = 0; i < 4; ++i) n[8 + i] = uint8_t(b >> (8 * i));
      nonce_ = n;
    }
    nat::PcpNonce nonce = *nonce_;
    nat::PcpParsed answer;
    auto reply = os::udp_exchange(
        base::Endpoint{*gateway, nat::kPcpServerPort},
        [&](const base::IpAddress& local) {
          nat::PcpMapRequest r;
          r.lifetime = lifetime;
          r.client = local;
          r.nonce = nonce;
          r.internal_port = internal_port;
          r.suggested_port = suggested_port ? suggested_port : internal_port;
          auto d = nat::encode_pcp_map_request(r);
          return std::vector<uint8_t>(d.begin(), d.end());
        },
        [&](base::Bytes d) {
          answer = nat::parse_pcp_map_response(d, nonce);
          return answer.response.has_value() || answer.error == nat::PcpParseError::kBadVersion;
        },
        kGatewayWait);
    if (!reply) return base::make_error("PCP: {}", reply.error().message());
    if (!answer.ok()) {
      if (answer.response)
        return base::make_error("PCP: {}", nat::pcp_result_name(answer.response->result_code));
      return base::make_error("PCP: {}", nat::pcp_parse_error_name(answer.error));
    }
    return nat::PortMapping{nat::MappingProtocol::kPcp, answer.response->external, *gateway,
                            internal_port, answer.response->lifetime};
  }

  std::function<uint64_t()> rng_;
  std::optional<os::UpnpMapping> upnp_;
  std::optional<nat::PcpNonce> nonce_;
};

}  // namespace

std::shared_ptr<MappingClient> make_system_mapping_client(std::function<uint64_t()> rng) {
  return std::make_shared<SystemMappingClient>(std::move(rng));
}

}  // namespace mw::node
