#include "roles/presence/container_members.hpp"

#include <algorithm>
#include <array>

#include "base/ascii.hpp"
#include "roles/lync/xml_util.hpp"

namespace parley::presence {
namespace xml = lync::xml;
namespace {

lync::BodyError invalid(std::string reason) {
  return lync::BodyError{lync::BodyError::Kind::invalid, std::move(reason)};
}

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && base::iequals(s.substr(0, prefix.size()), prefix);
}

// "<sip:Bob@X;transport=tls>" -> "Bob@X".
std::string_view bare_user(std::string_view uri) {
  if (!uri.empty() && uri.front() == '<') uri.remove_prefix(1);
  // Every leading scheme goes ("sip:sip:bob@x" is bob@x, as the header says).
  for (;;) {
    if (istarts_with(uri, "sip:")) {
      uri.remove_prefix(4);
    } else if (istarts_with(uri, "sips:")) {
      uri.remove_prefix(5);
    } else {
      break;
    }
  }
  return uri.substr(0, uri.find_first_of(";>?"));
}

std::string_view domain_of(std::string_view user) {
  const std::size_t at = user.rfind('@');
  return at == std::string_view::npos ? std::string_view{} : user.substr(at + 1);
}

bool known_type(std::string_view t) {
  return t == "user" || t == "domain" || t == "sameEnterprise" || t == "federated" ||
         t == "publicCloud" || t == "everyone";
}

bool same_member(const lync::ContainerMember& a, const lync::ContainerMember& b) {
  return a.type == b.type && base::iequals(a.value, b.value);
}

}  // namespace

std::variant<std::vector<ContainerMemberChange>, lync::BodyError> parse_set_container_members(
    std::string_view body) {
  pugi::xml_document doc;
  std::string error;
  if (!xml::load(doc, body, lync::kMaxRequestBodyBytes, error)) {
    return lync::BodyError{lync::BodyError::Kind::malformed, error};
  }
  pugi::xml_node root = doc.document_element();
  if (xml::local_name(root) != "setContainerMembers") {
    return lync::BodyError{lync::BodyError::Kind::malformed,
                           "expected setContainerMembers, got " + std::string(xml::local_name(root))};
  }
  std::vector<ContainerMemberChange> out;
  for (pugi::xml_node c = root.first_child(); c; c = c.next_sibling()) {
    if (c.type() != pugi::node_element || xml::local_name(c) != "container") continue;
    const auto id = xml::to_int(c.attribute("id").value());
    const auto version = xml::to_int(c.attribute("version").value());
    if (!id) return invalid("container without a valid id");
    if (!version || *version < 0) return invalid("container " + std::to_string(*id) + " without a valid version");
    for (pugi::xml_node m = c.first_child(); m; m = m.next_sibling()) {
      if (m.type() != pugi::node_element || xml::local_name(m) != "member") continue;
      ContainerMemberChange ch;
      ch.container = *id;
      ch.version = *version;
      const std::string_view action = m.attribute("action").value();
      if (action == "add") {
        ch.add = true;
      } else if (action == "remove") {
        ch.add = false;
      } else {
        return invalid("bad member action '" + std::string(action) + "'");
      }
      ch.member.type = m.attribute("type").value();
      if (!known_type(ch.member.type)) return invalid("bad member type '" + ch.member.type + "'");
      if (ch.member.type == "user" || ch.member.type == "domain") {
        std::string_view value = m.attribute("value").value();
        if (ch.member.type == "user") value = bare_user(value);
        if (value.empty()) return invalid(ch.member.type + " member without value");
        ch.member.value = std::string(value);
      }
      if (out.size() == kMaxMemberChanges) {
        return invalid("more than " + std::to_string(kMaxMemberChanges) + " member changes");
      }
      out.push_back(std::move(ch));
    }
  }
  return out;
}

bool apply_container_changes(std::vector<lync::Container>& containers,
                             const std::vector<ContainerMemberChange>& changes) {
  const auto find = [&](std::int64_t id) {
    return std::find_if(containers.begin(), containers.end(),
                        [id](const lync::Container& c) { return c.id == id; });
  };
  for (const ContainerMemberChange& ch : changes) {
    const auto it = find(ch.container);
    const std::int64_t current = it == containers.end() ? 0 : it->version;
    if (ch.version != current) return false;
  }
  std::vector<std::int64_t> changed;
  for (const ContainerMemberChange& ch : changes) {
    auto it = find(ch.container);
    if (it == containers.end()) {
      containers.push_back(lync::Container{ch.container, 0, {}});
      it = std::prev(containers.end());
    }
    auto& members = it->members;
    const auto m = std::find_if(members.begin(), members.end(), [&](const lync::ContainerMember& x) {
      return same_member(x, ch.member);
    });
    bool did = false;
    if (ch.add && m == members.end()) {
      members.push_back(ch.member);
      did = true;
    } else if (!ch.add && m != members.end()) {
      members.erase(m);
      did = true;
    }
    if (did && std::find(changed.begin(), changed.end(), ch.container) == changed.end()) {
      changed.push_back(ch.container);
    }
  }
  for (std::int64_t id : changed) ++find(id)->version;
  return true;
}

std::int64_t container_for_watcher(const std::vector<lync::Container>& containers,
                                   std::string_view watcher_uri,
                                   std::string_view presentity_domain) {
  static constexpr std::array<std::int64_t, 5> kOrder = {32000, 400, 300, 200, 100};
  const std::string_view user = bare_user(watcher_uri);
  const std::string_view domain = domain_of(user);
  const bool same_enterprise = !domain.empty() && base::iequals(domain, presentity_domain);

  const auto search = [&](std::string_view type, std::string_view value, bool with_value) {
    for (std::int64_t id : kOrder) {
      for (const lync::Container& c : containers) {
        if (c.id != id) continue;
        for (const lync::ContainerMember& m : c.members) {
          if (m.type != type) continue;
          if (!with_value) return id;
          std::string_view v = m.value;
          if (type == "user") v = bare_user(v);
          if (!v.empty() && base::iequals(v, value)) return id;
        }
      }
    }
    return std::int64_t{0};
  };

  if (!user.empty()) {
    if (std::int64_t id = search("user", user, true)) return id;
  }
  if (!domain.empty()) {
    if (std::int64_t id = search("domain", domain, true)) return id;
  }
  if (same_enterprise) {
    if (std::int64_t id = search("sameEnterprise", {}, false)) return id;
  } else {
    if (std::int64_t id = search("federated", {}, false)) return id;
    if (std::int64_t id = search("publicCloud", {}, false)) return id;
  }
  return search("everyone", {}, false);
}

}  // namespace parley::presence
