#include "roles/presence/watcherinfo.hpp"

#include <pugixml.hpp>

#include "roles/lync/xml_util.hpp"

namespace parley::presence {

namespace xml = lync::xml;

std::string build_watcherinfo(std::string_view resource, std::uint32_t version,
                              const std::vector<WatcherEntry>& watchers) {
  pugi::xml_document doc;
  pugi::xml_node root = doc.append_child("watcherinfo");
  xml::set_attr(root, "xmlns", kNsWatcherinfo);
  xml::set_attr(root, "version", std::to_string(version));
  xml::set_attr(root, "state", "full");
  pugi::xml_node list = root.append_child("watcher-list");
  xml::set_attr(list, "resource", resource);
  xml::set_attr(list, "package", "presence");
  for (const WatcherEntry& w : watchers) {
    pugi::xml_node n = xml::add_text(list, "watcher", w.uri);
    xml::set_attr(n, "id", w.id);
    xml::set_attr(n, "event", w.event);
    xml::set_attr(n, "status", w.status);
  }
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n" + xml::serialize(doc);
}

}  // namespace parley::presence
