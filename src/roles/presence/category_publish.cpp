#include "roles/presence/category_publish.hpp"

#include <cstdint>

#include "roles/lync/xml_util.hpp"

namespace parley::presence {
namespace xml = lync::xml;
namespace {

// Cleans every attribute value and text of `root`'s subtree (xml::clean);
// false when an element or attribute name would need it. Iterative: a
// payload may nest deeper than the stack allows recursion.
bool clean_values(pugi::xml_node root) {
  struct Walker : pugi::xml_tree_walker {
    bool ok = true;
    static bool fix_attributes(pugi::xml_node n) {
      for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
        if (xml::clean(a.name()) != a.name()) return false;
        std::string v = xml::clean(a.value());
        if (v != a.value()) a.set_value(v.c_str());
      }
      return true;
    }
    bool for_each(pugi::xml_node& n) override {
      if (n.type() == pugi::node_element) {
        if (xml::clean(n.name()) != n.name() || !fix_attributes(n)) ok = false;
      } else if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
        std::string v = xml::clean(n.value());
        if (v != n.value()) n.set_value(v.c_str());
      }
      return ok;
    }
  } walker;
  if (xml::clean(root.name()) != root.name() || !Walker::fix_attributes(root)) return false;
  root.traverse(walker);
  return walker.ok;
}

lync::BodyError invalid(std::string reason) {
  return lync::BodyError{lync::BodyError::Kind::invalid, std::move(reason)};
}

}  // namespace

std::variant<CategoryPublish, lync::BodyError> parse_category_publish(std::string_view body) {
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, lync::kMaxRequestBodyBytes, error)) {
    return lync::BodyError{lync::BodyError::Kind::malformed, error};
  }
  pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "publish") {
    return lync::BodyError{lync::BodyError::Kind::malformed,
                           "expected publish, got " + std::string(xml::local_name(root))};
  }
  pugi::xml_node pubs = xml::child(root, "publications");
  if (!pubs) return invalid("publish without publications");

  CategoryPublish out;
  out.uri = pubs.attribute("uri").value();
  std::size_t index = 0;
  for (pugi::xml_node p = pubs.first_child(); p; p = p.next_sibling()) {
    if (p.type() != pugi::node_element || xml::local_name(p) != "publication") continue;
    ++index;
    if (index > kMaxPublications) {
      return invalid("more than " + std::to_string(kMaxPublications) + " publications");
    }
    const std::string at = "publication " + std::to_string(index) + ": ";
    PublicationOp op;
    op.index = index;
    lync::Category& c = op.category;
    c.name = p.attribute("categoryName").value();
    if (c.name.empty()) return invalid(at + "no categoryName");
    const auto instance = xml::to_int(p.attribute("instance").value());
    const auto container = xml::to_int(p.attribute("container").value());
    const auto version = xml::to_int(p.attribute("version").value());
    if (!instance) return invalid(at + "missing or bad instance");
    if (!container) return invalid(at + "missing or bad container");
    if (!version || *version < 0) return invalid(at + "missing or bad version");
    if (*instance < INT32_MIN || *instance > 0xFFFFFFFFLL) return invalid(at + "bad instance");
    c.instance = *instance;
    c.container = *container;
    c.version = *version;
    if (pugi::xml_attribute et = p.attribute("expireType")) {
      const std::string_view v = et.value();
      if (v != "static" && v != "user" && v != "endpoint" && v != "time") {
        return invalid(at + "bad expireType '" + std::string(v) + "'");
      }
      c.expire_type = std::string(v);
    }
    if (pugi::xml_attribute ex = p.attribute("expires")) {
      const auto e = xml::to_int(ex.value());
      if (!e || *e < 0 || *e > 0xFFFFFFFFLL) return invalid(at + "bad expires");
      op.expires = static_cast<std::uint32_t>(*e);
    }
    pugi::xml_node payload = xml::first_element(p);
    if (payload) {
      for (pugi::xml_node n = payload.next_sibling(); n; n = n.next_sibling()) {
        if (n.type() == pugi::node_element) return invalid(at + "more than one payload element");
      }
      // Serialize the element alone, in a document of its own so that the
      // namespace declarations it inherits from publish come along.
      pugi::xml_document one;
      pugi::xml_node copy = one.append_copy(payload);
      for (pugi::xml_node a = p; a && a.type() == pugi::node_element; a = a.parent()) {
        for (pugi::xml_attribute attr = a.first_attribute(); attr; attr = attr.next_attribute()) {
          const std::string_view n = attr.name();
          if ((n == "xmlns" || n.substr(0, 6) == "xmlns:") && !copy.attribute(attr.name())) {
            copy.append_attribute(attr.name()).set_value(attr.value());
          }
        }
      }
      // A payload is relayed to every watcher, whose XML parser (libxml2 in
      // pidgin-sipe) refuses a whole document over one control character or
      // bad UTF-8: values are cleaned, and a name that is not clean is
      // refused, so one publisher cannot break its watchers' NOTIFYs.
      if (!clean_values(copy)) return invalid(at + "payload has names that are not valid XML");
      c.payload_xml = xml::serialize(one);
    }
    out.publications.push_back(std::move(op));
  }
  return out;
}

std::string wrong_delta_fault(
    const std::vector<std::pair<std::size_t, std::int64_t>>& index_and_current_version) {
  pugi::xml_document doc;
  pugi::xml_node fault = doc.append_child("Fault");
  xml::add_text(fault, "Faultcode", "Client.BadCall.WrongDelta");
  xml::add_text(fault, "Faultstring", "One or more publications have a wrong version");
  pugi::xml_node details = fault.append_child("details");
  for (const auto& [index, current] : index_and_current_version) {
    pugi::xml_node op = details.append_child("operation");
    op.append_attribute("index").set_value(static_cast<unsigned long long>(index));
    op.append_attribute("curVersion").set_value(static_cast<long long>(current));
  }
  return xml::serialize(doc);
}

}  // namespace parley::presence
