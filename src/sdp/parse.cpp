// The line loop of the SDP parser (RFC 8866 5): splits lines, checks their
// type and place, hands each value to its field parser (fields.hpp).
#include "sdp/parse.hpp"

#include <utility>

#include "sdp/fields.hpp"

namespace parley::sdp {
namespace {

class Parser {
 public:
  explicit Parser(const Limits& limits) : limits_(limits) {}

  ParseResult run(std::string_view text) {
    if (text.size() > limits_.max_bytes) return ParseError{"SDP body too large", 0};
    std::size_t pos = 0;
    while (pos < text.size()) {
      ++line_;
      if (line_ > limits_.max_lines) return ParseError{"Too many lines", line_};
      auto nl = text.find('\n', pos);
      std::size_t end = nl == std::string_view::npos ? text.size() : nl;
      std::string_view line = text.substr(pos, end - pos);
      pos = nl == std::string_view::npos ? text.size() : nl + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      if (!take(line)) return ParseError{std::move(error_), line_};
    }
    if (!seen_v_) return ParseError{"Empty session description", 0};
    if (!seen_o_) return ParseError{"Missing o= line", 0};
    if (!seen_s_) return ParseError{"Missing s= line", 0};
    return std::move(sd_);
  }

 private:
  bool error(std::string why) {
    error_ = std::move(why);
    return false;
  }

  // One non-empty line without its end.
  bool take(std::string_view line) {
    for (char c : line) {
      if (c == '\0' || c == '\r') return error("Control character in line");
    }
    if (line.size() < 2 || line[1] != '=') return error("Malformed line (expected <type>=<value>)");
    char type = line[0];
    std::string_view value = line.substr(2);
    if (type < 'a' || type > 'z') return error("Bad line type");
    if (!seen_v_) {
      if (type != 'v') return error("Missing v= line (first line must be v=)");
      return version(value);
    }
    if (type == 'v') return error("Unexpected second v= line");
    if (type == 'm') return media(value);
    if (current_) return media_line(type, value);
    return session_line(type, value);
  }

  // RFC 8866 5.1
  bool version(std::string_view value) {
    auto f = split_fields(value);
    if (f.size() != 1 || f[0] != "0") return error("Unsupported SDP version (v= must be 0)");
    seen_v_ = true;
    return true;
  }

  template <typename T>
  bool once(std::optional<T>& slot, const T& v, const char* dup) {
    if (slot) return error(dup);
    slot = v;
    return true;
  }

  bool session_line(char type, std::string_view value) {
    std::string why;
    switch (type) {
      case 'o': {
        if (seen_o_) return error("Duplicate o= line");
        auto o = parse_origin(value, &why);
        if (!o) return error(why);
        sd_.origin = *o;
        seen_o_ = true;
        return true;
      }
      case 's':
        if (seen_s_) return error("Duplicate s= line");
        sd_.session_name = value;
        seen_s_ = true;
        return true;
      case 'i': return once(sd_.information, value, "Duplicate i= line");
      case 'u': return once(sd_.uri, value, "Duplicate u= line");
      case 'e': sd_.emails.push_back(value); return true;
      case 'p': sd_.phones.push_back(value); return true;
      case 'c': {
        auto c = parse_connection(value, &why);
        if (!c) return error(why);
        return once(sd_.connection, *c, "Duplicate c= line");
      }
      case 'b': {
        auto b = parse_bandwidth(value, &why);
        if (!b) return error(why);
        sd_.bandwidths.push_back(*b);
        return true;
      }
      case 't': {
        auto t = parse_timing(value, &why);
        if (!t) return error(why);
        sd_.times.push_back(std::move(*t));
        return true;
      }
      case 'r': {
        if (sd_.times.empty()) return error("r= line before t=");
        auto r = parse_repeat(value, &why);
        if (!r) return error(why);
        sd_.times.back().repeats.push_back(std::move(*r));
        return true;
      }
      case 'z': {
        auto z = parse_zone_adjustments(value, &why);
        if (!z) return error(why);
        sd_.zone_adjustments.insert(sd_.zone_adjustments.end(), z->begin(), z->end());
        return true;
      }
      case 'k': return once(sd_.key, value, "Duplicate k= line");
      case 'a': {
        auto a = parse_attribute(value, &why);
        if (!a) return error(why);
        sd_.attributes.push_back(*a);
        return true;
      }
      default:
        sd_.unknown.push_back({type, value});
        return true;
    }
  }

  // RFC 8866 5.14
  bool media(std::string_view value) {
    if (sd_.media.size() >= limits_.max_media) return error("Too many m= lines");
    std::string why;
    auto m = parse_media(value, &why);
    if (!m) return error(why);
    sd_.media.push_back(std::move(*m));
    current_ = &sd_.media.back();
    return true;
  }

  bool media_line(char type, std::string_view value) {
    std::string why;
    MediaDescription& m = *current_;
    switch (type) {
      case 'i': return once(m.information, value, "Duplicate i= line");
      case 'c': {
        auto c = parse_connection(value, &why);
        if (!c) return error(why);
        m.connections.push_back(*c);
        return true;
      }
      case 'b': {
        auto b = parse_bandwidth(value, &why);
        if (!b) return error(why);
        m.bandwidths.push_back(*b);
        return true;
      }
      case 'k': return once(m.key, value, "Duplicate k= line");
      case 'a': {
        auto a = parse_attribute(value, &why);
        if (!a) return error(why);
        m.attributes.push_back(*a);
        return true;
      }
      case 'o': case 's': case 'u': case 'e': case 'p': case 't': case 'r': case 'z':
        return error(std::string(1, type) + "= line after m= (session-level only)");
      default:
        m.unknown.push_back({type, value});
        return true;
    }
  }

  const Limits& limits_;
  SessionDescription sd_;
  MediaDescription* current_ = nullptr;  // the m= section being filled
  std::size_t line_ = 0;
  bool seen_v_ = false, seen_o_ = false, seen_s_ = false;
  std::string error_;
};

}  // namespace

ParseResult parse(std::string_view text, const Limits& limits) {
  return Parser(limits).run(text);
}

}  // namespace parley::sdp
