#include "roles/conferencing/conference_info.hpp"

#include <pugixml.hpp>

#include <limits>
#include <optional>

#include "roles/lync/xml_util.hpp"

namespace parley::conf {
namespace xml = lync::xml;
namespace {

lync::BodyError invalid(std::string reason) {
  return lync::BodyError{lync::BodyError::Kind::invalid, std::move(reason)};
}

const char* bool_text(bool b) { return b ? "true" : "false"; }

void add_user(pugi::xml_node users, const User& u) {
  pugi::xml_node n = users.append_child("user");
  xml::set_attr(n, "entity", u.entity);
  if (u.deleted) {
    xml::set_attr(n, "state", "deleted");
    return;
  }
  xml::set_attr(n, "state", "full");
  // RFC 4575 user-type order: display-text, ..., roles, ..., endpoint.
  if (!u.display_text.empty()) xml::add_text(n, "display-text", u.display_text);
  pugi::xml_node roles = n.append_child("roles");
  for (const std::string& r : u.roles) xml::add_text(roles, "entry", r);
  for (const Endpoint& e : u.endpoints) {
    pugi::xml_node ep = n.append_child("endpoint");
    xml::set_attr(ep, "entity", e.entity);
    if (!e.session_type.empty()) xml::set_attr(ep, "msci:session-type", e.session_type);
    // RFC 4575 endpoint-type order: display-text, referred, status, ..., media.
    xml::add_text(ep, "status", e.status);
    if (e.chat_media) {
      pugi::xml_node media = ep.append_child("media");
      xml::set_attr(media, "id", "1");
      xml::add_text(media, "type", "chat");
      xml::add_text(media, "status", "sendrecv");
    }
  }
}

template <class Fn>
void for_each_child(pugi::xml_node node, std::string_view name, Fn&& fn) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && xml::local_name(c) == name) {
      if (!fn(c)) return;
    }
  }
}

// True when entity-state/media has an entry of type chat.
bool chat_entity_view(pugi::xml_node view) {
  bool chat = false;
  pugi::xml_node media = xml::child(xml::child(view, "entity-state"), "media");
  for_each_child(media, "entry", [&](pugi::xml_node e) {
    for_each_child(e, "type", [&](pugi::xml_node t) {
      if (xml::text(t) == "chat") chat = true;
      return !chat;
    });
    return !chat;
  });
  return chat;
}

}  // namespace

std::string build_conference_info(const ConferenceState& s) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("conference-info");
  xml::set_attr(root, "xmlns", kNsConferenceInfo);
  xml::set_attr(root, "xmlns:msci", kNsMsci);
  xml::set_attr(root, "entity", s.focus_uri);
  xml::set_attr(root, "state", s.full ? "full" : "partial");
  xml::set_attr(root, "version", std::to_string(s.version));

  pugi::xml_node desc = root.append_child("conference-description");
  xml::add_text(desc, "subject", s.subject);
  if (!s.mcu_uri.empty()) {
    pugi::xml_node entry = desc.append_child("conf-uris").append_child("entry");
    xml::add_text(entry, "uri", s.mcu_uri);
    xml::add_text(entry, "display-text", "chat");
    xml::add_text(entry, "purpose", "chat");
  }

  pugi::xml_node state = root.append_child("conference-state");
  xml::add_text(state, "active", "true");
  xml::add_text(state, "locked", bool_text(s.locked));

  pugi::xml_node users = root.append_child("users");
  for (const User& u : s.users) add_user(users, u);

  if (!s.mcu_uri.empty()) {
    pugi::xml_node view = root.append_child("msci:conference-view").append_child("msci:entity-view");
    xml::set_attr(view, "entity", s.mcu_uri);
    pugi::xml_node es = view.append_child("msci:entity-state");
    xml::add_text(es, "locked", bool_text(s.locked));
    xml::add_text(es.append_child("media").append_child("entry"), "type", "chat");
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n" + xml::serialize(doc);
}

std::variant<ConferenceState, lync::BodyError> parse_conference_info(std::string_view body) {
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, kMaxConferenceInfoBytes, error)) {
    return lync::BodyError{lync::BodyError::Kind::malformed, error};
  }
  pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "conference-info") {
    return lync::BodyError{lync::BodyError::Kind::malformed,
                           "expected conference-info, got " + std::string(xml::local_name(root))};
  }
  ConferenceState s;
  s.focus_uri = root.attribute("entity").value();
  // Empty once cleaned counts as empty: the builder writes the cleaned value.
  if (xml::clean(s.focus_uri).empty()) return invalid("conference-info without entity");
  const auto version = xml::to_int(root.attribute("version").value());
  if (!version || *version < 0 || *version > std::numeric_limits<std::uint32_t>::max()) {
    return invalid("conference-info without a valid version");
  }
  s.version = static_cast<std::uint32_t>(*version);
  const std::string_view state = root.attribute("state").value();
  if (state.empty() || state == "full") {
    s.full = true;
  } else if (state == "partial") {
    s.full = false;
  } else {
    return invalid("bad conference-info state '" + std::string(state) + "'");
  }

  pugi::xml_node desc = xml::child(root, "conference-description");
  s.subject = xml::text(xml::child(desc, "subject"));
  for_each_child(xml::child(desc, "conf-uris"), "entry", [&](pugi::xml_node e) {
    if (xml::text(xml::child(e, "purpose")) != "chat") return true;
    s.mcu_uri = xml::text(xml::child(e, "uri"));
    return false;
  });

  std::optional<bool> locked = xml::to_bool(xml::text(
      xml::child(xml::child(root, "conference-state"), "locked")));
  std::optional<bool> view_locked;
  for_each_child(xml::child(root, "conference-view"), "entity-view", [&](pugi::xml_node v) {
    if (!chat_entity_view(v)) return true;
    if (s.mcu_uri.empty()) s.mcu_uri = v.attribute("entity").value();
    view_locked = xml::to_bool(xml::text(xml::child(xml::child(v, "entity-state"), "locked")));
    return false;
  });
  s.locked = view_locked ? *view_locked : locked.value_or(false);

  std::optional<lync::BodyError> err;
  for_each_child(xml::child(root, "users"), "user", [&](pugi::xml_node un) {
    if (s.users.size() == kMaxConferenceUsers) {
      err = invalid("more than " + std::to_string(kMaxConferenceUsers) + " users");
      return false;
    }
    User u;
    u.entity = un.attribute("entity").value();
    if (xml::clean(u.entity).empty()) {
      err = invalid("user without entity");
      return false;
    }
    u.deleted = std::string_view(un.attribute("state").value()) == "deleted";
    u.display_text = xml::text(xml::child(un, "display-text"));
    for_each_child(xml::child(un, "roles"), "entry", [&](pugi::xml_node r) {
      u.roles.push_back(xml::text(r));
      return u.roles.size() < kMaxUserEndpoints;
    });
    for_each_child(un, "endpoint", [&](pugi::xml_node en) {
      if (u.endpoints.size() == kMaxUserEndpoints) {
        err = invalid("more than " + std::to_string(kMaxUserEndpoints) + " endpoints of " + u.entity);
        return false;
      }
      Endpoint e;
      e.entity = en.attribute("entity").value();
      e.session_type = std::string(xml::attribute_local(en, "session-type"));
      pugi::xml_node st = xml::child(en, "status");
      e.status = st ? xml::text(st) : std::string();
      for_each_child(en, "media", [&](pugi::xml_node m) {
        if (xml::text(xml::child(m, "type")) == "chat") e.chat_media = true;
        return !e.chat_media;
      });
      u.endpoints.push_back(std::move(e));
      return true;
    });
    if (err) return false;
    s.users.push_back(std::move(u));
    return true;
  });
  if (err) return *err;
  return s;
}

}  // namespace parley::conf
