#include "topology/report.hpp"

#include <fmt/format.h>

#include "topology/catalogue.hpp"

namespace parley::topology {
namespace {

std::string ports_text(PortRange r) {
  return r.single() ? std::to_string(r.low) : fmt::format("{}-{}", r.low, r.high);
}

// RFC 8259 7: quotation mark, reverse solidus and control characters are escaped.
std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// Builds one JSON object from alternating key / already-encoded value pairs.
class JsonObject {
 public:
  JsonObject& str(std::string_view key, std::string_view v) { return raw(key, json_string(v)); }
  JsonObject& num(std::string_view key, unsigned v) { return raw(key, std::to_string(v)); }
  JsonObject& boolean(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
  JsonObject& raw(std::string_view key, std::string_view encoded) {
    body_ += body_.empty() ? "{" : ",";
    body_ += json_string(key);
    body_ += ':';
    body_ += encoded;
    return *this;
  }
  std::string done() const { return body_.empty() ? "{}" : body_ + "}"; }

 private:
  std::string body_;
};

template <class Rows, class Fn>
std::string json_array(const Rows& rows, Fn&& to_object) {
  std::string out = "[";
  for (const auto& r : rows) {
    if (out.size() > 1) out += ",\n  ";
    out += to_object(r);
  }
  return out + "]";
}

}  // namespace

std::string catalogue_table() {
  std::string out;
  out += "Server ports, by role (seed 000)\n";
  for (const auto& r : server_ports()) {
    std::string who = std::string(r.role);
    if (!r.service.empty()) who += " / " + std::string(r.service);
    out += fmt::format("  {:<12}{:<26}{}", ports_text(r.ports), r.protocol, who);
    if (!r.listener_key.empty()) out += fmt::format("  [{}]", r.listener_key);
    if (r.parley_extension) out += "  (Parley)";
    out += '\n';
  }
  for (LoadBalancing mode : {LoadBalancing::HardwareOnly, LoadBalancing::Dns}) {
    out += mode == LoadBalancing::HardwareOnly
               ? "\nHardware load balancer ports, hardware load balancing only (seed 000)\n"
               : "\nHardware load balancer ports, DNS load balancing (seed 000)\n";
    for (const auto& r : load_balancer_ports()) {
      if (r.mode != mode) continue;
      out += fmt::format("  {:<12}{:<26}{}", r.port, r.protocol, r.load_balancer);
      if (!r.note.empty()) out += fmt::format(" ({})", r.note);
      out += '\n';
    }
  }
  out += "\nClient ports (seed 000)\n";
  for (const auto& r : client_ports()) {
    out += fmt::format("  {:<12}{:<26}{}: {}\n", ports_text(r.ports), r.protocol, r.component,
                       r.purpose);
  }
  out += "\nReverse proxy (seed 001)\n";
  for (const auto& r : reverse_proxy_ports()) {
    out += fmt::format("  {:<12}{:<26}{} {} {}\n", r.port,
                       fmt::format("{}/{}", r.protocol, r.transport), to_string(r.interface),
                       r.interface == ProxyInterface::External ? "from" : "to", r.peer);
  }
  out += "\nSIP federation, public IM connectivity and XMPP (seed 004)\n";
  for (const auto& r : federation_ports()) {
    out += fmt::format("  {:<12}{:<26}{} -> {}\n", ports_text(r.ports), r.label, r.source,
                       r.destination);
  }
  return out;
}

std::string catalogue_json() {
  JsonObject root;
  root.raw("server_ports", json_array(server_ports(), [](const ServerPort& r) {
             return JsonObject()
                 .str("role", r.role)
                 .str("service", r.service)
                 .num("port_low", r.ports.low)
                 .num("port_high", r.ports.high)
                 .str("protocol", r.protocol)
                 .str("purpose", r.purpose)
                 .raw("listener", r.listener_key.empty() ? "null" : json_string(r.listener_key))
                 .boolean("parley_extension", r.parley_extension)
                 .done();
           }));
  root.raw("load_balancer_ports", json_array(load_balancer_ports(), [](const LoadBalancerPort& r) {
             return JsonObject()
                 .str("mode", to_string(r.mode))
                 .str("load_balancer", r.load_balancer)
                 .num("port", r.port)
                 .str("protocol", r.protocol)
                 .str("note", r.note)
                 .done();
           }));
  root.raw("client_ports", json_array(client_ports(), [](const ClientPort& r) {
             return JsonObject()
                 .str("component", r.component)
                 .num("port_low", r.ports.low)
                 .num("port_high", r.ports.high)
                 .str("protocol", r.protocol)
                 .str("purpose", r.purpose)
                 .done();
           }));
  root.raw("reverse_proxy_ports", json_array(reverse_proxy_ports(), [](const ReverseProxyPort& r) {
             return JsonObject()
                 .str("interface", to_string(r.interface))
                 .str("protocol", r.protocol)
                 .str("transport", r.transport)
                 .num("port", r.port)
                 .str("peer", r.peer)
                 .str("purpose", r.purpose)
                 .done();
           }));
  root.raw("federation_ports", json_array(federation_ports(), [](const FederationPort& r) {
             return JsonObject()
                 .str("label", r.label)
                 .str("role", r.role)
                 .str("protocol", r.protocol)
                 .str("transport", r.transport)
                 .num("port_low", r.ports.low)
                 .num("port_high", r.ports.high)
                 .str("source", r.source)
                 .str("destination", r.destination)
                 .str("purpose", r.purpose)
                 .done();
           }));
  return root.done() + "\n";
}

}  // namespace parley::topology
