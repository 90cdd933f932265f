#include "roles/presence/batch_subscribe.hpp"

#include <algorithm>

#include "roles/lync/xml_util.hpp"

namespace parley::presence {
namespace xml = lync::xml;
namespace {

lync::BodyError invalid(std::string reason) {
  return lync::BodyError{lync::BodyError::Kind::invalid, std::move(reason)};
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::variant<BatchSubscribe, lync::BodyError> parse_batch_subscribe(std::string_view body) {
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, lync::kMaxRequestBodyBytes, error)) {
    return lync::BodyError{lync::BodyError::Kind::malformed, error};
  }
  pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "batchSub") {
    return lync::BodyError{lync::BodyError::Kind::malformed,
                           "expected batchSub, got " + std::string(xml::local_name(root))};
  }
  BatchSubscribe out;
  out.list_uri = root.attribute("uri").value();
  pugi::xml_node action = xml::child(root, "action");
  if (!action) return invalid("batchSub without action");
  out.action = action.attribute("name").value();
  if (out.action != "subscribe" && out.action != "unsubscribe") {
    return invalid("unknown batchSub action '" + out.action + "'");
  }
  for (pugi::xml_node list = action.first_child(); list; list = list.next_sibling()) {
    if (list.type() != pugi::node_element || xml::local_name(list) != "adhocList") continue;
    for (pugi::xml_node r = list.first_child(); r; r = r.next_sibling()) {
      if (r.type() != pugi::node_element || xml::local_name(r) != "resource") continue;
      const std::string_view uri = r.attribute("uri").value();
      if (uri.empty()) return invalid("resource without uri");
      if (std::any_of(out.resources.begin(), out.resources.end(),
                      [&](const std::string& s) { return iequal(s, uri); })) {
        continue;
      }
      if (out.resources.size() == kMaxBatchResources) {
        return invalid("more than " + std::to_string(kMaxBatchResources) + " resources");
      }
      out.resources.emplace_back(uri);
    }
  }
  if (pugi::xml_node list = xml::child(action, "categoryList")) {
    for (pugi::xml_node c = list.first_child(); c; c = c.next_sibling()) {
      if (c.type() != pugi::node_element || xml::local_name(c) != "category") continue;
      const std::string_view name = c.attribute("name").value();
      if (name.empty()) return invalid("category without name");
      if (std::find(out.categories.begin(), out.categories.end(), name) != out.categories.end()) {
        continue;
      }
      if (out.categories.size() == kMaxBatchCategories) {
        return invalid("more than " + std::to_string(kMaxBatchCategories) + " categories");
      }
      out.categories.emplace_back(name);
    }
  }
  return out;
}

}  // namespace parley::presence
