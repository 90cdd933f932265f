// Conversions between sip::Peer / sip::Local (numeric strings) and Asio
// endpoints.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "sip/peer.hpp"

namespace parley::net {

// Parses a numeric IPv4 or IPv6 address ("192.0.2.1", "::1", "[::1]").
// IPv4-mapped IPv6 addresses become IPv4. nullopt for anything else.
std::optional<boost::asio::ip::address> parse_ip(std::string_view text);

// Numeric text of an address as Peer/Local carry it: IPv6 without brackets,
// IPv4-mapped IPv6 shown as IPv4.
std::string ip_text(const boost::asio::ip::address& a);

// Key of the flow index by remote address: "tls|192.0.2.1|5061".
std::string flow_key(sip::Transport t, const boost::asio::ip::address& a, std::uint16_t port);

}  // namespace parley::net
