#include "roles/lync/xml_util.hpp"

#include <charconv>

namespace parley::lync::xml {
namespace {

std::string_view trim(std::string_view s) {
  const auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

struct StringWriter final : pugi::xml_writer {
  std::string out;
  void write(const void* data, std::size_t size) override {
    out.append(static_cast<const char*>(data), size);
  }
};

// Visits `root` and all its descendants without recursion (client documents
// can nest deeply).
template <class Fn>
void walk(pugi::xml_node root, Fn&& fn) {
  for (pugi::xml_node n = root; n;) {
    fn(n);
    if (n.first_child()) {
      n = n.first_child();
      continue;
    }
    while (n && n != root && !n.next_sibling()) n = n.parent();
    if (!n || n == root) break;
    n = n.next_sibling();
  }
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

}  // namespace

// Valid XML 1.0 character data: well-formed UTF-8 without C0 controls other
// than tab, LF and CR, without surrogates, U+FFFE or U+FFFF; anything else
// becomes U+FFFD (or is dropped, for controls). A peer's XML parser (libxml2 in
// pidgin-sipe) rejects a whole document over one such character.
std::string clean(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out += static_cast<char>(c);
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= s.size();
    for (std::size_t k = 1; ok && k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) ok = false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (ok) {
      const bool overlong = (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
      if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE ||
          cp == 0xFFFF) {
        ok = false;
      }
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

std::string_view local_name(pugi::xml_node node) {
  std::string_view name = node.name();
  const std::size_t colon = name.find(':');
  return colon == std::string_view::npos ? name : name.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element && local_name(c) == name) return c;
  }
  return {};
}

pugi::xml_node first_element(pugi::xml_node node) {
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_element) return c;
  }
  return {};
}

std::string text(pugi::xml_node node) {
  std::string out;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    if (c.type() == pugi::node_pcdata || c.type() == pugi::node_cdata) out += c.value();
  }
  return out;
}

bool load(pugi::xml_document& doc, std::string_view body, std::size_t max_bytes,
          std::string& error) {
  if (body.size() > max_bytes) {
    error = "body larger than " + std::to_string(max_bytes) + " bytes";
    return false;
  }
  pugi::xml_parse_result r =
      doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    error = std::string("XML: ") + r.description() + " at offset " + std::to_string(r.offset);
    return false;
  }
  if (!doc.document_element()) {
    error = "XML: no root element";
    return false;
  }
  return true;
}

std::string serialize(const pugi::xml_document& doc) {
  StringWriter w;
  doc.save(w, "", pugi::format_raw | pugi::format_no_declaration, pugi::encoding_utf8);
  return std::move(w.out);
}

std::string inner_xml(pugi::xml_node node) {
  StringWriter w;
  for (pugi::xml_node c = node.first_child(); c; c = c.next_sibling()) {
    c.print(w, "", pugi::format_raw, pugi::encoding_utf8);
  }
  return std::move(w.out);
}

bool append_fragment(pugi::xml_node node, std::string_view fragment) {
  if (fragment.empty()) return true;
  pugi::xml_document tmp;
  if (!tmp.load_buffer(fragment.data(), fragment.size(), pugi::parse_default | pugi::parse_fragment,
                       pugi::encoding_utf8)) {
    return false;
  }
  walk(tmp, [](pugi::xml_node n) {
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) {
      n.set_value(clean(n.value()).c_str());
    }
    for (pugi::xml_attribute a = n.first_attribute(); a; a = a.next_attribute()) {
      a.set_value(clean(a.value()).c_str());
    }
  });
  for (pugi::xml_node c = tmp.first_child(); c; c = c.next_sibling()) node.append_copy(c);
  return true;
}

std::optional<std::int64_t> to_int(std::string_view s) {
  s = trim(s);
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<bool> to_bool(std::string_view s) {
  s = trim(s);
  if (s == "true" || s == "1") return true;
  if (s == "false" || s == "0") return false;
  return std::nullopt;
}

pugi::xml_node add_text(pugi::xml_node parent, const char* name, std::string_view value) {
  pugi::xml_node n = parent.append_child(name);
  n.text().set(clean(value).c_str());
  return n;
}

void set_attr(pugi::xml_node node, const char* name, std::string_view value) {
  node.append_attribute(name).set_value(clean(value).c_str());
}

std::string_view attribute_local(pugi::xml_node node, std::string_view name) {
  for (pugi::xml_attribute a = node.first_attribute(); a; a = a.next_attribute()) {
    std::string_view n = a.name();
    const std::size_t colon = n.find(':');
    if (colon != std::string_view::npos) {
      if (n.substr(0, colon) == "xmlns") continue;
      n = n.substr(colon + 1);
    }
    if (n == name) return a.value();
  }
  return {};
}

}  // namespace parley::lync::xml
