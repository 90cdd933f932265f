#include "net/address.hpp"

namespace parley::net {

namespace ip = boost::asio::ip;

namespace {
ip::address unmap(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) {
    return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  }
  return a;
}
}  // namespace

std::optional<ip::address> parse_ip(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  boost::system::error_code ec;
  ip::address a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return unmap(a);
}

std::string ip_text(const ip::address& a) { return unmap(a).to_string(); }

std::string flow_key(sip::Transport t, const ip::address& a, std::uint16_t port) {
  std::string k(sip::transport_param(t));
  k += '|';
  k += ip_text(a);
  k += '|';
  k += std::to_string(port);
  return k;
}

}  // namespace parley::net
