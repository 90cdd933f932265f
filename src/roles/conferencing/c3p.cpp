#include "roles/conferencing/c3p.hpp"

#include <pugixml.hpp>

#include <array>
#include <utility>

#include "roles/conferencing/conference_info.hpp"
#include "roles/lync/xml_util.hpp"

namespace parley::conf {
namespace xml = lync::xml;
namespace {

constexpr std::array<std::pair<C3POp, std::string_view>, 8> kOps = {{
    {C3POp::getConferencingCapabilities, "getConferencingCapabilities"},
    {C3POp::addConference, "addConference"},
    {C3POp::getConference, "getConference"},
    {C3POp::deleteConference, "deleteConference"},
    {C3POp::addUser, "addUser"},
    {C3POp::deleteUser, "deleteUser"},
    {C3POp::modifyUserRoles, "modifyUserRoles"},
    {C3POp::modifyConferenceLock, "modifyConferenceLock"},
}};

lync::BodyError invalid(std::string reason) {
  return lync::BodyError{lync::BodyError::Kind::invalid, std::move(reason)};
}

// Appends the text of every `name` child of `parent` to `out`; false when
// that would exceed kMaxC3PListEntries.
bool collect_texts(pugi::xml_node parent, std::string_view name, std::vector<std::string>& out) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || xml::local_name(c) != name) continue;
    if (out.size() == kMaxC3PListEntries) return false;
    out.push_back(xml::text(c));
  }
  return true;
}

bool xml_name(std::string_view s) {
  if (s.empty()) return false;
  const auto start = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!start(s.front())) return false;
  for (char c : s) {
    if (!start(c) && !(c >= '0' && c <= '9') && c != '-' && c != '.') return false;
  }
  return true;
}

std::optional<lync::BodyError> parse_operation(pugi::xml_node op, C3PRequest& r) {
  switch (r.op) {
    case C3POp::getConferencingCapabilities:
    case C3POp::other:
      return std::nullopt;
    case C3POp::addConference: {
      pugi::xml_node info = xml::child(op, "conference-info");
      r.conf_entity = info.attribute("entity").value();
      pugi::xml_node desc = xml::child(info, "conference-description");
      r.subject = xml::text(xml::child(desc, "subject"));
      r.conference_id = xml::text(xml::child(desc, "conference-id"));
      r.expiry_time = xml::text(xml::child(desc, "expiry-time"));
      r.admission_policy = xml::text(xml::child(desc, "admission-policy"));
      pugi::xml_node view = xml::child(info, "conference-view");
      for (pugi::xml_node v = view.first_child(); v; v = v.next_sibling()) {
        if (v.type() != pugi::node_element || xml::local_name(v) != "entity-view") continue;
        if (r.mcu_types.size() == kMaxC3PListEntries) return invalid("too many entity-views");
        r.mcu_types.emplace_back(v.attribute("entity").value());
      }
      return std::nullopt;
    }
    case C3POp::addUser: {
      r.conf_entity = xml::child(op, "conferenceKeys").attribute("confEntity").value();
      if (r.conf_entity.empty()) return invalid("addUser without conferenceKeys@confEntity");
      pugi::xml_node user = xml::child(op, "user");
      r.user_entity = user.attribute("entity").value();
      if (r.user_entity.empty()) return invalid("addUser without user@entity");
      if (!collect_texts(xml::child(user, "roles"), "entry", r.roles)) {
        return invalid("too many roles");
      }
      r.endpoint_entity = xml::child(user, "endpoint").attribute("entity").value();
      return std::nullopt;
    }
    case C3POp::deleteUser:
    case C3POp::modifyUserRoles: {
      pugi::xml_node keys = xml::child(op, "userKeys");
      r.conf_entity = keys.attribute("confEntity").value();
      r.user_entity = keys.attribute("userEntity").value();
      if (r.conf_entity.empty() || r.user_entity.empty()) {
        return invalid(r.op_name + " without userKeys@confEntity and @userEntity");
      }
      if (r.op == C3POp::modifyUserRoles) {
        if (!collect_texts(xml::child(op, "user-roles"), "entry", r.roles)) {
          return invalid("too many roles");
        }
        if (r.roles.empty()) return invalid("modifyUserRoles without user-roles/entry");
      }
      return std::nullopt;
    }
    case C3POp::modifyConferenceLock: {
      r.conf_entity = xml::child(op, "conferenceKeys").attribute("confEntity").value();
      if (r.conf_entity.empty()) return invalid("modifyConferenceLock without conferenceKeys@confEntity");
      r.locked = xml::to_bool(xml::text(xml::child(op, "locked")));
      if (!r.locked) return invalid("modifyConferenceLock without a boolean locked");
      return std::nullopt;
    }
    case C3POp::getConference:
    case C3POp::deleteConference: {
      pugi::xml_node keys = xml::child(op, "conferenceKeys");
      r.conf_entity = keys.attribute("confEntity").value();
      r.conference_id = std::string(xml::attribute_local(keys, "conference-id"));
      if (r.conf_entity.empty() && (r.op == C3POp::deleteConference || r.conference_id.empty())) {
        return invalid(r.op_name + " without conferenceKeys");
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// `fragment` (several top-level elements allowed) from the children of a
// scratch element.
template <class Fill>
std::string fragment(Fill&& fill) {
  pugi::xml_document doc;
  pugi::xml_node wrap = doc.append_child("x");
  fill(wrap);
  return xml::inner_xml(wrap);
}

}  // namespace

std::string_view c3p_op_name(C3POp op) {
  for (const auto& [o, name] : kOps) {
    if (o == op) return name;
  }
  return {};
}

std::variant<C3PRequest, lync::BodyError> parse_c3p_request(std::string_view body) {
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, lync::kMaxRequestBodyBytes, error)) {
    return lync::BodyError{lync::BodyError::Kind::malformed, error};
  }
  pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "request") {
    return lync::BodyError{lync::BodyError::Kind::malformed,
                           "expected C3P request, got " + std::string(xml::local_name(root))};
  }
  C3PRequest r;
  r.request_id = root.attribute("requestId").value();
  r.from = root.attribute("from").value();
  r.to = root.attribute("to").value();
  r.c3p_version = root.attribute("C3PVersion").value();
  if (r.request_id.empty()) return invalid("C3P request without requestId");
  if (r.from.empty() || r.to.empty()) return invalid("C3P request without from or to");

  pugi::xml_node op = xml::first_element(root);
  if (!op) return invalid("C3P request without operation");
  for (pugi::xml_node n = op.next_sibling(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element) return invalid("C3P request with more than one operation");
  }
  r.op_name = std::string(xml::local_name(op));
  for (const auto& [o, name] : kOps) {
    if (name == r.op_name) r.op = o;
  }
  if (auto err = parse_operation(op, r)) return *err;
  return r;
}

std::string build_c3p_response(const C3PResponse& r) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("response");
  xml::set_attr(root, "xmlns", kNsCccp);
  xml::set_attr(root, "xmlns:msci", kNsMsci);
  xml::set_attr(root, "C3PVersion", "1");
  xml::set_attr(root, "requestId", r.request_id);
  xml::set_attr(root, "from", r.from);
  xml::set_attr(root, "to", r.to);
  xml::set_attr(root, "code", r.success ? "success" : "failure");
  if (xml_name(r.op_name)) {
    pugi::xml_node op = root.append_child(r.op_name.c_str());
    if (!r.success && !r.reason.empty()) xml::set_attr(op, "reason", r.reason);
    xml::append_fragment(op, r.inner_xml);
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n" + xml::serialize(doc);
}

std::string capabilities_inner(const std::vector<std::string>& mcu_types) {
  return fragment([&](pugi::xml_node w) {
    pugi::xml_node types = w.append_child("mcu-types");
    for (const std::string& t : mcu_types) xml::add_text(types, "mcuType", t);
  });
}

std::string add_conference_inner(std::string_view focus_uri) {
  return fragment([&](pugi::xml_node w) {
    pugi::xml_node info = w.append_child("conference-info");
    xml::set_attr(info, "xmlns", kNsConferenceInfo);
    xml::set_attr(info, "entity", focus_uri);
  });
}

std::string add_user_inner(std::string_view focus_uri, std::string_view user,
                           const std::vector<std::string>& roles, std::string_view endpoint) {
  return fragment([&](pugi::xml_node w) {
    xml::set_attr(w.append_child("conferenceKeys"), "confEntity", focus_uri);
    pugi::xml_node u = w.append_child("user");
    xml::set_attr(u, "xmlns", kNsConferenceInfo);
    xml::set_attr(u, "entity", user);
    pugi::xml_node rn = u.append_child("roles");
    for (const std::string& role : roles) xml::add_text(rn, "entry", role);
    if (!endpoint.empty()) xml::set_attr(u.append_child("endpoint"), "entity", endpoint);
  });
}

std::string delete_conference_inner(std::string_view focus_uri) {
  return fragment([&](pugi::xml_node w) {
    pugi::xml_node info = w.append_child("conference-info");
    xml::set_attr(info, "xmlns", kNsConferenceInfo);
    xml::set_attr(info, "entity", focus_uri);
  });
}

}  // namespace parley::conf
