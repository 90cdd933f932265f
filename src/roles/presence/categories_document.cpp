#include "roles/presence/categories_document.hpp"

#include "roles/lync/lync_events.hpp"
#include "roles/lync/xml_util.hpp"
#include "roles/presence/availability.hpp"

namespace parley::presence {
namespace {

// `s` cleaned (lync::xml::clean) and escaped for an attribute value in "".
std::string attr(std::string_view s) {
  const std::string c = lync::xml::clean(s);
  std::string out;
  out.reserve(c.size());
  for (char ch : c) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default: out += ch;
    }
  }
  return out;
}

}  // namespace

std::string build_categories(std::string_view uri, const std::vector<lync::Category>& categories) {
  std::string out = "<categories xmlns=\"";
  out += lync::kNsCategories;
  out += "\" uri=\"" + attr(uri) + "\">";
  for (const lync::Category& c : categories) {
    out += "<category name=\"" + attr(c.name) + "\" instance=\"" + std::to_string(c.instance) + "\"";
    if (!c.publish_time.empty()) out += " publishTime=\"" + attr(c.publish_time) + "\"";
    out += " container=\"" + std::to_string(c.container) + "\" version=\"" +
           std::to_string(c.version) + "\"";
    if (!c.expire_type.empty()) out += " expireType=\"" + attr(c.expire_type) + "\"";
    if (c.payload_xml.empty()) {
      out += "/>";
    } else {
      out += ">" + c.payload_xml + "</category>";
    }
  }
  out += "</categories>";
  return out;
}

std::string aggregate_state_payload(std::uint32_t availability) {
  std::string out = "<state xmlns=\"";
  out += kNsState;
  out += "\" xmlns:xsi=\"";
  out += kNsXsi;
  out += "\" xsi:type=\"aggregateState\"><availability>" + std::to_string(availability) +
         "</availability><activity token=\"";
  out += activity_token(band_of(availability));
  out += "\"/></state>";
  return out;
}

MultipartBody build_rlmi_multipart(
    std::string_view list_uri, std::uint32_t version, bool full_state,
    const std::vector<std::pair<std::string, std::string>>& resource_uri_and_categories_doc,
    std::string_view part_type) {
  const std::string suffix = "." + std::to_string(version) + "@parley";
  const std::string root_cid = "rlmi" + suffix;
  std::string rlmi = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<list xmlns=\"";
  rlmi += kNsRlmi;
  rlmi += "\" uri=\"" + attr(list_uri) + "\" version=\"" + std::to_string(version) +
          "\" fullState=\"" + (full_state ? "true" : "false") + "\">";
  std::vector<std::string> cids;
  cids.reserve(resource_uri_and_categories_doc.size());
  for (std::size_t i = 0; i < resource_uri_and_categories_doc.size(); ++i) {
    const std::string id = "r" + std::to_string(i + 1);
    cids.push_back(id + suffix);
    rlmi += "<resource uri=\"" + attr(resource_uri_and_categories_doc[i].first) +
            "\"><instance id=\"" + id + "\" state=\"active\" cid=\"" + cids.back() +
            "\"/></resource>";
  }
  rlmi += "</list>";

  // A boundary that occurs in no part (RFC 2046 5.1.1).
  std::string boundary = "parley-rlmi-" + std::to_string(version);
  for (unsigned n = 0;; ++n) {
    bool clash = rlmi.find(boundary) != std::string::npos;
    for (const auto& [uri, doc] : resource_uri_and_categories_doc) {
      if (clash) break;
      clash = doc.find(boundary) != std::string::npos;
    }
    if (!clash) break;
    boundary = "parley-rlmi-" + std::to_string(version) + "-" + std::to_string(n);
  }

  MultipartBody out;
  out.content_type = "multipart/related;type=\"";
  out.content_type += kTypeRlmi;
  // The boundary is a bare token and the last parameter: libpurple's MIME
  // reader takes everything after the last '=' of Content-Type as the
  // boundary, quotes included.
  out.content_type += "\";start=\"<" + root_cid + ">\";boundary=" + boundary;
  const auto part = [&](std::string_view cid, std::string_view type, std::string_view content) {
    out.body += "--" + boundary + "\r\n";
    // 8bit, not RFC 4662's "binary": libpurple's MIME reader (pidgin-sipe)
    // knows only 7bit, 8bit, base64 and quoted-printable and drops any other
    // part. The parts are UTF-8 XML without NULs, which 8bit covers.
    out.body += "Content-Transfer-Encoding: 8bit\r\n";
    out.body += "Content-ID: <" + std::string(cid) + ">\r\n";
    out.body += "Content-Type: " + std::string(type) + "\r\n\r\n";
    out.body += content;
    // A blank line before the next delimiter: the CRLF before "--boundary"
    // belongs to the delimiter (RFC 2046 5.1.1), so a conforming reader sees
    // the part end in one CRLF (whitespace after the XML). libpurple's reader
    // drops the four bytes before the delimiter, and would eat the end of
    // the XML without it.
    out.body += "\r\n\r\n";
  };
  part(root_cid, kTypeRlmi, rlmi);
  for (std::size_t i = 0; i < resource_uri_and_categories_doc.size(); ++i) {
    part(cids[i], part_type, resource_uri_and_categories_doc[i].second);
  }
  out.body += "--" + boundary + "--\r\n";
  return out;
}

}  // namespace parley::presence
