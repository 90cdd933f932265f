#include "sip/framing.hpp"
#include "sip/chars.hpp"

#include <cstdint>

namespace parley::sip {

namespace {

constexpr std::string_view kPing = "\r\n\r\n";

bool is_line_end(char c) { return c == '\r' || c == '\n'; }
bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Content-Length value (RFC 3261 20.14: 1*DIGIT), surrounded by linear white
// space that may include the line ends of folded lines. Values above `cap`
// are reported as `cap + 1` so the caller can say "too large" without
// overflowing.
enum class LengthParse { Ok, Bad };
LengthParse parse_length(std::string_view v, std::uint64_t cap, std::uint64_t& out) {
  std::size_t i = 0;
  while (i < v.size() && is_lws(v[i])) ++i;
  std::size_t digits = 0;
  std::uint64_t n = 0;
  while (i < v.size() && v[i] >= '0' && v[i] <= '9') {
    if (n <= cap) n = n * 10 + static_cast<std::uint64_t>(v[i] - '0');
    ++i;
    ++digits;
  }
  while (i < v.size() && is_lws(v[i])) ++i;
  if (digits == 0 || i != v.size()) return LengthParse::Bad;
  out = n > cap ? cap + 1 : n;
  return LengthParse::Ok;
}

}  // namespace

bool is_start_line_char(char c) { return is_token_char(c); }


bool looks_like_start_line(std::string_view line) {
  line = trim_right(line);
  if (line.empty()) return false;
  // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (RFC 3261 7.2)
  if (istarts_with(line, "SIP/")) {
    std::size_t sp = line.find(' ');
    return sp != std::string_view::npos && sp + 1 < line.size() && line[sp + 1] >= '0' &&
           line[sp + 1] <= '9';
  }
  // Request-Line = Method SP Request-URI SP SIP-Version (RFC 3261 7.1)
  std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos || sp1 == 0) return false;
  for (std::size_t i = 0; i < sp1; ++i) {
    if (!is_start_line_char(line[i])) return false;
  }
  std::size_t last = line.rfind(' ');
  if (last == sp1) return false;
  return istarts_with(line.substr(last + 1), "SIP/");
}

FrameResult find_message(std::string_view buf, std::size_t max_message_size,
                         std::size_t resume) {
  // RFC 5626 3.5.1: a CRLFCRLF ping at a message boundary.
  if (buf.substr(0, kPing.size()) == kPing) return frame::KeepAlive{kPing.size(), true};

  // RFC 3261 7.5: line ends before the start line are skipped.
  std::size_t start = 0;
  while (start < buf.size() && is_line_end(buf[start])) ++start;
  if (start == buf.size()) {
    // Only line ends so far: the beginning of a ping waits for the rest, any
    // other run of line ends is dropped.
    if (start == 0 || kPing.substr(0, start) == buf) return frame::Incomplete{};
    return frame::KeepAlive{start, false};
  }
  if (!is_start_line_char(buf[start])) return frame::Error{"not SIP"};

  const std::size_t size = buf.size();
  std::size_t p = 0;  // where the search for the blank line continues
  std::size_t first_nl = std::string_view::npos;
  if (resume > start && resume < size) {
    // A previous call checked the start line and every line end before resume.
    p = resume;
  } else {
    first_nl = buf.find('\n', start);
    if (first_nl == std::string_view::npos) {
      if (size - start > max_message_size) return frame::Error{"headers too large"};
      return frame::Incomplete{};
    }
    std::string_view line = buf.substr(start, first_nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!looks_like_start_line(line)) return frame::Error{"not SIP"};
    p = first_nl;
  }

  // The header block ends with an empty line: "\r\n\r\n", tolerating bare LFs
  // ("\n\n", "\r\n\n", "\n\r\n").
  std::size_t header_end = std::string_view::npos;
  std::size_t terminator_nl = 0;
  for (;;) {
    std::size_t nl = buf.find('\n', p);
    if (nl == std::string_view::npos) {
      p = size;
      break;
    }
    if (nl + 1 >= size) {
      p = nl;
      break;
    }
    if (buf[nl + 1] == '\n') {
      header_end = nl + 2;
    } else if (buf[nl + 1] == '\r') {
      if (nl + 2 >= size) {
        p = nl;
        break;
      }
      if (buf[nl + 2] == '\n') header_end = nl + 3;
    }
    if (header_end != std::string_view::npos) {
      terminator_nl = nl;
      break;
    }
    p = nl + 1;
  }
  if (header_end == std::string_view::npos) {
    if (size - start > max_message_size) return frame::Error{"headers too large"};
    return frame::Incomplete{p, 0};
  }
  if (header_end - start > max_message_size) return frame::Error{"headers too large"};

  // Content-Length or its compact form `l` (RFC 3261 7.3.3, 20.14), possibly
  // folded over several lines (RFC 3261 7.3.1). Missing means 0 (RFC 3261 18.3).
  if (first_nl == std::string_view::npos) first_nl = buf.find('\n', start);
  const std::uint64_t cap = max_message_size;
  std::uint64_t content_length = 0;
  bool have_length = false;
  bool current_is_length = false;
  std::size_t value_begin = 0;
  std::size_t value_end = 0;
  bool bad = false;
  bool conflict = false;
  auto finish_header = [&] {
    if (!current_is_length) return;
    current_is_length = false;
    std::uint64_t n = 0;
    if (parse_length(buf.substr(value_begin, value_end - value_begin), cap, n) != LengthParse::Ok) {
      bad = true;
      return;
    }
    if (have_length && n != content_length) conflict = true;
    have_length = true;
    content_length = n;
  };
  std::size_t line_begin = first_nl + 1;
  while (line_begin < header_end) {
    std::size_t nl = buf.find('\n', line_begin);
    std::string_view line = buf.substr(line_begin, nl - line_begin);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // the blank line
    if (line[0] == ' ' || line[0] == '\t') {
      if (current_is_length) value_end = line_begin + line.size();  // folded value
    } else {
      finish_header();
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view name = trim_right(line.substr(0, colon));
        current_is_length = iequals(name, "content-length") || iequals(name, "l");
        value_begin = line_begin + colon + 1;
        value_end = line_begin + line.size();
      }
    }
    line_begin = nl + 1;
  }
  finish_header();
  if (bad) return frame::Error{"bad Content-Length"};
  if (conflict) return frame::Error{"conflicting Content-Length"};

  const std::uint64_t total = (header_end - start) + content_length;
  if (content_length > cap || total > cap) return frame::Error{"message too large"};
  if (start + total <= size) return frame::Complete{start, static_cast<std::size_t>(total)};
  return frame::Incomplete{terminator_nl, start + static_cast<std::size_t>(total)};
}

std::optional<std::string_view> datagram_message(std::string_view d) {
  while (!d.empty() && is_line_end(d.front())) d.remove_prefix(1);
  if (d.empty() || !is_start_line_char(d.front())) return std::nullopt;
  std::string_view line = d.substr(0, d.find('\n'));
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (!looks_like_start_line(line)) return std::nullopt;
  return d;
}

}  // namespace parley::sip
