// Accessors of the parsed SDP shape (session_description.hpp).
#include "sdp/session_description.hpp"

#include <limits>

#include "sdp/fields.hpp"

namespace parley::sdp {
namespace {

std::optional<Direction> direction_in(const std::vector<Attribute>& attrs) {
  std::optional<Direction> d;
  for (const auto& a : attrs) {
    if (a.has_value) continue;
    if (a.name == "sendrecv") d = Direction::SendRecv;
    else if (a.name == "sendonly") d = Direction::SendOnly;
    else if (a.name == "recvonly") d = Direction::RecvOnly;
    else if (a.name == "inactive") d = Direction::Inactive;
  }
  return d;
}

}  // namespace

std::optional<std::uint64_t> Origin::version_number() const {
  return parse_number(session_version, std::numeric_limits<std::uint64_t>::max());
}

bool Connection::is_ip4() const { return iequals(addrtype, "IP4"); }
bool Connection::is_ip6() const { return iequals(addrtype, "IP6"); }

bool Connection::is_unspecified() const {
  if (form == AddressForm::IPv4) return address == "0.0.0.0";
  if (form == AddressForm::IPv6) {
    for (char c : address) {
      if (c != ':' && c != '0') return false;
    }
    return true;
  }
  return false;
}

MediaType media_type(std::string_view media) {
  if (media == "audio") return MediaType::Audio;
  if (media == "video") return MediaType::Video;
  if (media == "text") return MediaType::Text;
  if (media == "application") return MediaType::Application;
  if (media == "message") return MediaType::Message;
  if (media == "image") return MediaType::Image;
  return MediaType::Other;
}

const Attribute* find_attribute(const std::vector<Attribute>& attrs, std::string_view name) {
  for (const auto& a : attrs) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::vector<std::string_view> MediaDescription::attribute_values(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& a : attributes) {
    if (a.name == name) out.push_back(a.value);
  }
  return out;
}

std::optional<RtpMap> MediaDescription::rtpmap(std::string_view format) const {
  for (const auto& a : attributes) {
    if (a.name != "rtpmap" || !a.has_value) continue;
    auto r = parse_rtpmap(a.value);
    if (r && r->payload_type == format) return r;
  }
  return std::nullopt;
}

std::vector<std::string_view> MediaDescription::accept_types() const {
  const Attribute* a = find_attribute("accept-types");
  if (!a) return {};
  return split_fields(a->value);
}

std::optional<Direction> MediaDescription::direction() const { return direction_in(attributes); }

const Connection* SessionDescription::connection_for(const MediaDescription& m) const {
  if (!m.connections.empty()) return &m.connections.front();
  return connection ? &*connection : nullptr;
}

Direction SessionDescription::direction_of(const MediaDescription& m) const {
  if (auto d = m.direction()) return *d;
  return direction_in(attributes).value_or(Direction::SendRecv);
}

const MediaDescription* SessionDescription::find_media(MediaType type) const {
  for (const auto& m : media) {
    if (m.type() == type) return &m;
  }
  return nullptr;
}

}  // namespace parley::sdp
