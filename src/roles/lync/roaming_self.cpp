#include "roles/lync/roaming_self.hpp"

#include "roles/lync/xml_util.hpp"

namespace parley::lync {

std::variant<RoamingScope, BodyError> parse_roaming_list(std::string_view body) {
  RoamingScope scope;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    scope.categories = scope.containers = scope.subscribers = true;
    return scope;
  }
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, kMaxRequestBodyBytes, error)) {
    return BodyError{BodyError::Kind::malformed, error};
  }
  pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "roamingList") {
    return BodyError{BodyError::Kind::malformed,
                     "expected roamingList, got " + std::string(xml::local_name(root))};
  }
  for (pugi::xml_node r = root.first_child(); r; r = r.next_sibling()) {
    if (r.type() != pugi::node_element) continue;
    const std::string_view name = xml::local_name(r);
    if (name != "roaming" && name != "roamingEx") continue;
    const std::string_view type = r.attribute("type").value();
    if (type == "categories") scope.categories = true;
    if (type == "containers") scope.containers = true;
    if (type == "subscribers") scope.subscribers = true;
    if (type == "delegates") scope.delegates = true;
  }
  return scope;
}

std::vector<Container> default_containers() {
  return {
      {100, 1, {{"federated", ""}}},
      {200, 1, {{"sameEnterprise", ""}}},
      {300, 1, {}},
      {400, 1, {}},
      {32000, 1, {}},
  };
}

std::string build_roaming_data(const RoamingSelf& self, const RoamingScope& scope) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("roamingData");
  xml::set_attr(root, "xmlns", kNsRoamingSelf);

  if (scope.categories) {
    pugi::xml_node cats = root.append_child("categories");
    xml::set_attr(cats, "xmlns", kNsCategories);
    xml::set_attr(cats, "uri", self.uri);
    for (const Category& c : self.categories) {
      pugi::xml_node n = cats.append_child("category");
      xml::set_attr(n, "name", c.name);
      n.append_attribute("instance").set_value(static_cast<long long>(c.instance));
      if (!c.publish_time.empty()) xml::set_attr(n, "publishTime", c.publish_time);
      n.append_attribute("container").set_value(static_cast<long long>(c.container));
      n.append_attribute("version").set_value(static_cast<long long>(c.version));
      if (!c.expire_type.empty()) xml::set_attr(n, "expireType", c.expire_type);
      xml::append_fragment(n, c.payload_xml);
    }
  }
  if (scope.containers) {
    pugi::xml_node cons = root.append_child("containers");
    xml::set_attr(cons, "xmlns", kNsContainers);
    for (const Container& c : self.containers) {
      pugi::xml_node n = cons.append_child("container");
      n.append_attribute("id").set_value(static_cast<long long>(c.id));
      n.append_attribute("version").set_value(static_cast<long long>(c.version));
      for (const ContainerMember& m : c.members) {
        pugi::xml_node mn = n.append_child("member");
        xml::set_attr(mn, "type", m.type);
        if (!m.value.empty()) xml::set_attr(mn, "value", m.value);
      }
    }
  }
  if (scope.subscribers) {
    pugi::xml_node subs = root.append_child("subscribers");
    xml::set_attr(subs, "xmlns", kNsSubscribers);
    for (const Subscriber& s : self.subscribers) {
      pugi::xml_node n = subs.append_child("subscriber");
      xml::set_attr(n, "user", s.user);
      xml::set_attr(n, "displayName", s.display_name);
      xml::set_attr(n, "acknowledged", s.acknowledged ? "true" : "false");
      if (!s.type.empty()) xml::set_attr(n, "type", s.type);
    }
  }
  return xml::serialize(doc);
}

}  // namespace parley::lync
