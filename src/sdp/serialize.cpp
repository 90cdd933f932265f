// Canonical SDP text (serialize.hpp).
#include "sdp/serialize.hpp"

#include <string_view>

namespace parley::sdp {
namespace {

class Writer {
 public:
  void line(char type, std::string_view value) {
    out_.push_back(type);
    out_.push_back('=');
    out_.append(value);
    out_.append("\r\n");
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string join(const std::vector<std::string_view>& parts) {
  std::string s;
  for (auto p : parts) {
    if (!s.empty()) s.push_back(' ');
    s.append(p);
  }
  return s;
}

std::string bandwidth(const Bandwidth& b) {
  return std::string(b.type) + ":" + std::to_string(b.value);
}

std::string attribute(const Attribute& a) {
  std::string s(a.name);
  if (a.has_value) {
    s.push_back(':');
    s.append(a.value);
  }
  return s;
}

std::string repeat(const RepeatTimes& r) {
  std::string s = std::to_string(r.interval) + " " + std::to_string(r.duration);
  for (auto o : r.offsets) s += " " + std::to_string(o);
  return s;
}

std::string zones(const std::vector<TimeZoneAdjustment>& zs) {
  std::string s;
  for (const auto& z : zs) {
    if (!s.empty()) s.push_back(' ');
    s += std::to_string(z.time) + " " + std::to_string(z.offset);
  }
  return s;
}

void media(Writer& w, const MediaDescription& m) {
  std::string port = std::to_string(m.port);
  if (m.port_count) port += "/" + std::to_string(*m.port_count);
  std::string head = std::string(m.media) + " " + port + " " + std::string(m.proto);
  for (auto f : m.formats) {
    head.push_back(' ');
    head.append(f);
  }
  w.line('m', head);
  if (m.information) w.line('i', *m.information);
  for (const auto& c : m.connections) w.line('c', to_string(c));
  for (const auto& b : m.bandwidths) w.line('b', bandwidth(b));
  if (m.key) w.line('k', *m.key);
  for (const auto& a : m.attributes) w.line('a', attribute(a));
  for (const auto& u : m.unknown) w.line(u.type, u.value);
}

}  // namespace

std::string to_string(const Connection& c) {
  std::string s = std::string(c.nettype) + " " + std::string(c.addrtype) + " " +
                  std::string(c.address);
  if (c.ttl) s += "/" + std::to_string(*c.ttl);
  if (c.count) s += "/" + std::to_string(*c.count);
  return s;
}

std::string to_string(const SessionDescription& sd) {
  Writer w;
  w.line('v', "0");
  const Origin& o = sd.origin;
  w.line('o', join({o.username, o.session_id, o.session_version, o.nettype, o.addrtype, o.address}));
  w.line('s', sd.session_name);
  if (sd.information) w.line('i', *sd.information);
  if (sd.uri) w.line('u', *sd.uri);
  for (auto e : sd.emails) w.line('e', e);
  for (auto p : sd.phones) w.line('p', p);
  if (sd.connection) w.line('c', to_string(*sd.connection));
  for (const auto& b : sd.bandwidths) w.line('b', bandwidth(b));
  for (const auto& t : sd.times) {
    w.line('t', std::to_string(t.start) + " " + std::to_string(t.stop));
    for (const auto& r : t.repeats) w.line('r', repeat(r));
  }
  if (!sd.zone_adjustments.empty()) w.line('z', zones(sd.zone_adjustments));
  if (sd.key) w.line('k', *sd.key);
  for (const auto& a : sd.attributes) w.line('a', attribute(a));
  for (const auto& u : sd.unknown) w.line(u.type, u.value);
  for (const auto& m : sd.media) media(w, m);
  return w.take();
}

}  // namespace parley::sdp
