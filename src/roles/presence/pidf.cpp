#include "roles/presence/pidf.hpp"

#include <algorithm>
#include <array>

#include "roles/lync/xml_util.hpp"
#include "roles/presence/availability.hpp"

namespace parley::presence {
namespace xml = lync::xml;
namespace {

// RFC 4480 3.2 activity names.
constexpr std::array<std::string_view, 26> kRpidActivities = {
    "appointment", "away", "breakfast", "busy", "dinner", "holiday", "in-transit",
    "looking-for-work", "meal", "meeting", "on-the-phone", "performance",
    "permanent-absence", "playing", "presentation", "shopping", "sleeping", "spectator",
    "steering", "travel", "tv", "unknown", "vacation", "working", "worship", "other"};
constexpr std::array<std::string_view, 12> kAwayClass = {
    "away", "breakfast", "dinner", "holiday", "in-transit", "looking-for-work", "meal",
    "permanent-absence", "shopping", "sleeping", "travel", "vacation"};
constexpr std::array<std::string_view, 8> kBusyClass = {
    "appointment", "busy", "meeting", "on-the-phone", "performance", "presentation", "steering",
    "worship"};
constexpr std::string_view kDnd = "do-not-disturb";
constexpr std::string_view kBrb = "be-right-back";

template <std::size_t N>
bool in(const std::array<std::string_view, N>& set, std::string_view s) {
  return std::find(set.begin(), set.end(), s) != set.end();
}

bool has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string_view trim(std::string_view s) {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

// The namespace URI of `node`'s name: the nearest xmlns[:prefix] declaration
// in scope. Empty when undeclared.
std::string_view ns_of(pugi::xml_node node) {
  const std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  std::string attr = "xmlns";
  if (colon != std::string_view::npos) attr += ":" + std::string(name.substr(0, colon));
  for (pugi::xml_node n = node; n && n.type() == pugi::node_element; n = n.parent()) {
    if (pugi::xml_attribute a = n.attribute(attr.c_str())) return a.value();
  }
  return {};
}

bool is(pugi::xml_node node, std::string_view ns, std::string_view local) {
  return node.type() == pugi::node_element && xml::local_name(node) == local && ns_of(node) == ns;
}

template <class Fn>
void each(pugi::xml_node parent, std::string_view ns, std::string_view local, Fn&& fn) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (is(c, ns, local)) fn(c);
  }
}

}  // namespace

std::variant<PidfPresence, lync::BodyError> parse_pidf(std::string_view body) {
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, lync::kMaxRequestBodyBytes, error)) {
    return lync::BodyError{lync::BodyError::Kind::malformed, error};
  }
  pugi::xml_node root = doc.document_element();
  if (!is(root, kNsPidf, "presence")) {
    return lync::BodyError{lync::BodyError::Kind::malformed, "expected a PIDF presence document"};
  }
  PidfPresence p;
  // Cleaned first: build_pidf writes it cleaned, and an entity of control
  // characters only would not survive the round trip.
  p.entity = trim(xml::clean(root.attribute("entity").value()));
  if (p.entity.empty()) {
    return lync::BodyError{lync::BodyError::Kind::invalid, "presence without entity"};
  }
  const auto take_note = [&](pugi::xml_node n) {
    if (p.note.empty()) p.note = trim(xml::text(n));
  };
  each(root, kNsPidf, "tuple", [&](pugi::xml_node t) {
    each(t, kNsPidf, "status", [&](pugi::xml_node s) {
      each(s, kNsPidf, "basic", [&](pugi::xml_node b) {
        if (trim(xml::text(b)) == "open") p.open = true;
      });
    });
  });
  each(root, kNsPidf, "note", take_note);
  each(root, kNsPidf, "tuple", [&](pugi::xml_node t) { each(t, kNsPidf, "note", take_note); });
  each(root, kNsPidfDataModel, "person", [&](pugi::xml_node person) {
    each(person, kNsRpid, "activities", [&](pugi::xml_node acts) {
      for (pugi::xml_node a = acts.first_child(); a; a = a.next_sibling()) {
        if (a.type() != pugi::node_element || ns_of(a) != kNsRpid) continue;
        std::string name(xml::local_name(a));
        if (name == "other") {
          const std::string raw = xml::text(a);
          const std::string_view text = trim(raw);
          if (!text.empty()) name = std::string(text);
        }
        if (!has(p.activities, name)) p.activities.push_back(std::move(name));
      }
    });
    each(person, kNsRpid, "user-input", [&](pugi::xml_node ui) {
      if (trim(xml::text(ui)) == "idle") p.idle = true;
    });
    each(person, kNsPidfDataModel, "note", take_note);
  });
  return p;
}

std::string build_pidf(const PidfPresence& p) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("presence");
  xml::set_attr(root, "xmlns", kNsPidf);
  xml::set_attr(root, "xmlns:dm", kNsPidfDataModel);
  xml::set_attr(root, "xmlns:rpid", kNsRpid);
  xml::set_attr(root, "entity", p.entity);
  pugi::xml_node tuple = root.append_child("tuple");
  xml::set_attr(tuple, "id", "t1");
  xml::add_text(tuple.append_child("status"), "basic", p.open ? "open" : "closed");
  if (!p.note.empty()) xml::add_text(root, "note", p.note);
  if (!p.activities.empty() || p.idle) {
    pugi::xml_node person = root.append_child("dm:person");
    xml::set_attr(person, "id", "p1");
    if (!p.activities.empty()) {
      pugi::xml_node acts = person.append_child("rpid:activities");
      for (const std::string& a : p.activities) {
        if (in(kRpidActivities, a) && a != "other") {
          acts.append_child(("rpid:" + a).c_str());
        } else {
          xml::add_text(acts, "rpid:other", a);
        }
      }
    }
    if (p.idle) xml::add_text(person, "rpid:user-input", "idle");
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n" + xml::serialize(doc);
}

std::uint32_t availability_from_pidf(const PidfPresence& p) {
  if (!p.open) return kOffline;
  if (has(p.activities, kDnd)) return kDoNotDisturb;
  if (has(p.activities, kBrb)) return kBeRightBack;
  bool away = false;
  bool busy = false;
  for (const std::string& a : p.activities) {
    away = away || in(kAwayClass, a);
    busy = busy || in(kBusyClass, a);
  }
  if (away) return kAway;
  if (busy) return p.idle ? kBusyIdle : kBusy;
  return p.idle ? kAvailableIdle : kAvailable;
}

PidfPresence pidf_from_availability(std::string entity, std::uint32_t availability, std::string note) {
  PidfPresence p;
  p.entity = std::move(entity);
  p.note = std::move(note);
  p.open = true;
  switch (band_of(availability)) {
    case Band::available: break;
    case Band::available_idle: p.idle = true; break;
    case Band::busy: p.activities = {"busy"}; break;
    case Band::busy_idle:
      p.activities = {"busy"};
      p.idle = true;
      break;
    case Band::dnd: p.activities = {"busy", std::string(kDnd)}; break;
    case Band::brb: p.activities = {"away", std::string(kBrb)}; break;
    case Band::away: p.activities = {"away"}; break;
    case Band::offline: p.open = false; break;
  }
  return p;
}

}  // namespace parley::presence
