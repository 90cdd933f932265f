// Small helpers over pugixml shared by the Lync body builders and parsers.
// Internal to src/roles/lync.
//
// Clients prefix their elements freely (sipe writes <s:Envelope>, the [MS-SIP]
// examples <SOAP-ENV:Envelope>), so parsers match elements by local name.
#pragma once

#include <pugixml.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::lync::xml {

// "m:addGroup" -> "addGroup".
std::string_view local_name(pugi::xml_node node);

// The value of `node`'s attribute whose local name is `name`
// ("msci:session-type" and "session-type" both match "session-type");
// namespace declarations never match. Empty when there is none.
std::string_view attribute_local(pugi::xml_node node, std::string_view name);

// The first element child of `node` whose local name is `name`.
pugi::xml_node child(pugi::xml_node node, std::string_view name);

// The first element child of `node`.
pugi::xml_node first_element(pugi::xml_node node);

// The concatenated text of `node`'s text and CDATA children.
std::string text(pugi::xml_node node);

// Parses `body` (UTF-8, at most `max_bytes`) into `doc`; false with `error`
// set when too large, not well-formed or without a root element.
bool load(pugi::xml_document& doc, std::string_view body, std::size_t max_bytes,
          std::string& error);

// The document without an XML declaration or indentation.
std::string serialize(const pugi::xml_document& doc);

// The children of `node`, serialized (the element's content without its tags).
std::string inner_xml(pugi::xml_node node);

// Appends the XML fragment `fragment` to `node`; false (and nothing appended)
// when it is not well-formed.
bool append_fragment(pugi::xml_node node, std::string_view fragment);

// A decimal integer, surrounding whitespace allowed; nullopt otherwise.
std::optional<std::int64_t> to_int(std::string_view s);

// "true"/"1" -> true, "false"/"0" -> false (xs:boolean), whitespace allowed.
std::optional<bool> to_bool(std::string_view s);

// Appends a child element `name` holding `value` as text.
pugi::xml_node add_text(pugi::xml_node parent, const char* name, std::string_view value);

// Adds attribute `name` = `value` to `node`.
void set_attr(pugi::xml_node node, const char* name, std::string_view value);

// `s` as valid XML 1.0 character data: invalid UTF-8, surrogates, U+FFFE/U+FFFF
// become U+FFFD; C0 controls other than tab, LF and CR are dropped. Every value
// the builders write goes through this (libxml2, pidgin-sipe's parser, rejects
// a whole document over one bad character).
std::string clean(std::string_view s);

}  // namespace parley::lync::xml
