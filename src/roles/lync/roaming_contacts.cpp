#include "roles/lync/roaming_contacts.hpp"

#include "roles/lync/xml_util.hpp"

namespace parley::lync {
namespace {

std::string group_ids(const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::int64_t id : ids) {
    if (!out.empty()) out += ' ';
    out += std::to_string(id);
  }
  return out;
}

void group(pugi::xml_node parent, const char* element, const store::ContactGroup& g) {
  pugi::xml_node n = parent.append_child(element);
  n.append_attribute("id").set_value(static_cast<long long>(g.id));
  xml::set_attr(n, "name", g.name);
  xml::set_attr(n, "externalURI", g.external_uri);
}

void contact(pugi::xml_node parent, const char* element, const store::Contact& c,
             std::string_view uri_prefix) {
  pugi::xml_node n = parent.append_child(element);
  xml::set_attr(n, "uri", std::string(uri_prefix) + c.uri);
  xml::set_attr(n, "name", c.name);
  xml::set_attr(n, "groups", group_ids(c.groups));
  xml::set_attr(n, "subscribed", c.subscribed ? "true" : "false");
  xml::set_attr(n, "externalURI", c.external_uri);
  if (!c.extension.empty()) {
    pugi::xml_node ext = n.append_child("contactExtension");
    if (!xml::append_fragment(ext, c.extension)) n.remove_child(ext);
  }
}

}  // namespace

std::string build_contact_list(const store::ContactList& list, const ContactListOptions& options) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("contactList");
  root.append_attribute("deltaNum").set_value(static_cast<long long>(list.delta_num));
  if (options.ucs_mode) xml::set_attr(root, "ucsmode", *options.ucs_mode);
  for (const auto& g : list.groups) group(root, "group", g);
  for (const auto& c : list.contacts) contact(root, "contact", c, "");
  return xml::serialize(doc);
}

std::string build_contact_delta(const store::ContactDelta& delta) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("contactDelta");
  root.append_attribute("deltaNum").set_value(static_cast<long long>(delta.delta_num));
  root.append_attribute("prevDeltaNum").set_value(static_cast<long long>(delta.prev_delta_num));
  for (const auto& g : delta.added_groups) group(root, "addedGroup", g);
  for (const auto& g : delta.modified_groups) group(root, "modifiedGroup", g);
  for (const auto& c : delta.added_contacts) contact(root, "addedContact", c, "sip:");
  for (const auto& c : delta.modified_contacts) contact(root, "modifiedContact", c, "sip:");
  for (std::int64_t id : delta.deleted_groups) {
    root.append_child("deletedGroup").append_attribute("id").set_value(static_cast<long long>(id));
  }
  for (const auto& uri : delta.deleted_contacts) {
    xml::set_attr(root.append_child("deletedContact"), "uri", "sip:" + uri);
  }
  return xml::serialize(doc);
}

}  // namespace parley::lync
