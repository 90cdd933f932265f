#include "roles/lync/provisioning.hpp"

#include <algorithm>

#include "roles/lync/xml_util.hpp"

namespace parley::lync {
namespace {

void add_if_set(pugi::xml_node parent, const char* name, std::string_view value) {
  if (!value.empty()) xml::add_text(parent, name, value);
}

void add_property(pugi::xml_node parent, std::string_view name, std::string_view value) {
  pugi::xml_node p = xml::add_text(parent, "property", value);
  xml::set_attr(p, "name", name);
}

pugi::xml_node add_group(pugi::xml_node list, std::string_view name) {
  pugi::xml_node g = list.append_child("provisionGroup");
  xml::set_attr(g, "name", name);
  return g;
}

void server_configuration(pugi::xml_node list, const ProvisioningConfig& c) {
  pugi::xml_node g = add_group(list, kGroupServerConfiguration);
  add_if_set(g, "absInternalServerUrl", c.abs_internal_url);
  add_if_set(g, "absExternalServerUrl", c.abs_external_url);
  add_if_set(g, "dlxInternalUrl", c.dlx_internal_url);
  add_if_set(g, "dlxExternalUrl", c.dlx_external_url);
  add_if_set(g, "organization", c.organization);
  add_if_set(g, "ucPC2PCAVEncryption", c.av_encryption);
  xml::add_text(g, "ucPortRangeEnabled", "false");
  add_if_set(g, "poolUri", c.server_fqdn);
  add_if_set(g, "mrasUri", c.mras_uri);
  add_if_set(g, "botSipUriForTestCall", c.test_call_bot_uri);
  add_if_set(g, "focusFactoryUri", c.focus_factory_uri);
  for (const auto& [name, value] : c.server_configuration_extra) {
    // Element names come from configuration; one that is not an XML name is skipped.
    if (name.empty() || name.find_first_of(" <>&\"'/=") != std::string::npos) continue;
    xml::add_text(g, name.c_str(), value);
  }
}

void policy(pugi::xml_node list, std::string_view name, const Properties& props) {
  pugi::xml_node instance = add_group(list, name).append_child("instance");
  for (const auto& [n, v] : props) add_property(instance, n, v);
}

void persistent_chat(pugi::xml_node list, const ProvisioningConfig& c) {
  pugi::xml_node entries = add_group(list, kGroupPersistentChat).append_child("propertyEntryList");
  const bool enabled = c.persistent_chat_enabled && !c.persistent_chat_pool_uri.empty();
  add_property(entries, "EnablePersistentChat", enabled ? "true" : "false");
  if (enabled) add_property(entries, "DefaultPersistentChatPoolUri", c.persistent_chat_pool_uri);
}

}  // namespace

std::string focus_factory_uri_for(std::string_view aor) {
  return "sip:" + std::string(aor) + ";gruu;opaque=app:conf:focusfactory";
}

std::variant<ProvisioningRequest, BodyError> parse_provisioning_request(std::string_view body) {
  ProvisioningRequest req;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    req.groups = {std::string(kGroupServerConfiguration), std::string(kGroupMeetingPolicy),
                  std::string(kGroupPersistentChat), std::string(kGroupUcPolicy)};
    return req;
  }
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, kMaxRequestBodyBytes, error)) {
    return BodyError{BodyError::Kind::malformed, error};
  }
  pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "provisioningGroupList") {
    return BodyError{BodyError::Kind::malformed,
                     "expected provisioningGroupList, got " + std::string(xml::local_name(root))};
  }
  req.subnet = root.attribute("subnet").value();
  for (pugi::xml_node g = root.first_child(); g; g = g.next_sibling()) {
    if (g.type() != pugi::node_element || xml::local_name(g) != "provisioningGroup") continue;
    std::string name = g.attribute("name").value();
    if (name.empty()) continue;
    if (std::find(req.groups.begin(), req.groups.end(), name) == req.groups.end()) {
      req.groups.push_back(std::move(name));
    }
    if (req.groups.size() >= 64) break;  // [MS-SIPREGE] defines a dozen
  }
  return req;
}

std::string build_provision_group_list(const ProvisioningConfig& config,
                                       const ProvisioningRequest& request) {
  pugi::xml_document doc;
  pugi::xml_node list = doc.append_child("provisionGroupList");
  xml::set_attr(list, "xmlns", kNsProvisioningNotification);
  for (const std::string& name : request.groups) {
    if (name == kGroupServerConfiguration) {
      server_configuration(list, config);
    } else if (name == kGroupMeetingPolicy) {
      policy(list, kGroupMeetingPolicy, config.meeting_policy);
    } else if (name == kGroupUcPolicy) {
      policy(list, kGroupUcPolicy, config.uc_policy);
    } else if (name == kGroupPersistentChat) {
      persistent_chat(list, config);
    }
  }
  return xml::serialize(doc);
}

}  // namespace parley::lync
