// Message boundaries on a stream transport (TCP, TLS) and the first look at a
// datagram (UDP).
//
// RFC 3261 18.3: on a stream, the end of a message is found from its
// Content-Length; a message without one has an empty body.
// RFC 3261 7.5: CRLFs before a start line are ignored.
// RFC 5626 3.5.1: a double CRLF where a message could start is a keep-alive
// "ping", answered with a single CRLF "pong".
//
// The framer looks only as far as it must: the first bytes and the start line
// (so a peer that is not speaking SIP - TLS on the TCP port, binary noise - is
// refused at once instead of after max_message_size bytes), the end of the
// header block and the Content-Length header (full or compact `l`, any case,
// folded lines accepted). Everything else is the message parser's job
// (message.hpp), which this file does not depend on.
//
// Nothing here throws or allocates on the message path.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <variant>

namespace parley::sip {

namespace frame {

// One whole message: buffer.substr(offset, length). `offset` counts the stray
// line ends skipped before the start line (RFC 3261 7.5); the caller drops
// consumed() bytes.
struct Complete {
  std::size_t offset = 0;
  std::size_t length = 0;
  std::size_t consumed() const { return offset + length; }
};

// Not enough bytes yet. `resume` may be passed back to find_message() once
// more bytes have been appended to the same buffer (the bytes before it hold
// no end of headers); `needed`, when non-zero, is the buffer size at which the
// message will be complete (headers seen, body still arriving), so the caller
// can wait without calling again.
struct Incomplete {
  std::size_t resume = 0;
  std::size_t needed = 0;
};

// Keep-alive traffic at a message boundary; the caller drops `consumed` bytes.
// `ping` is true for a CRLFCRLF ping (RFC 5626 3.5.1: reply with "\r\n");
// false for other stray line ends, which are dropped silently (RFC 3261 7.5).
struct KeepAlive {
  std::size_t consumed = 0;
  bool ping = false;
};

// The stream cannot be framed; the connection should be closed. `reason` is a
// static string for logs: "not SIP", "headers too large", "message too large",
// "bad Content-Length", "conflicting Content-Length".
struct Error {
  std::string_view reason;
};

}  // namespace frame

using FrameResult =
    std::variant<frame::Incomplete, frame::Complete, frame::KeepAlive, frame::Error>;

// Finds the first message in `buffer`, the unread bytes of one stream.
// A message (start line, headers, blank line, body) may be at most
// `max_message_size` bytes; a larger one, or a header block that passes that
// size without ending, is an Error. The blank line ending the headers is
// CRLFCRLF; bare-LF line ends are tolerated. `resume` is the value from a
// previous Incomplete on the same buffer (0 to scan from the start).
FrameResult find_message(std::string_view buffer, std::size_t max_message_size,
                         std::size_t resume = 0);

// True if `c` may start a SIP start line: a token character (RFC 3261 25.1),
// which every method and "SIP/2.0" begin with. Cheap first-byte test that tells
// SIP from STUN (0x00/0x01), TLS records (0x16) and other binary input.
bool is_start_line_char(char c);

// True for a line that has the shape of a SIP start line (without its line
// end): a status line "SIP/2.0 200 OK" or a request line whose last word is
// the version, "INVITE sip:a@b SIP/2.0" (RFC 3261 7.1, 7.2). The version is
// compared case-insensitively; the parser checks the rest.
bool looks_like_start_line(std::string_view line);

// The SIP message in a UDP datagram, or nullopt for datagrams to drop without
// a reply: empty ones, CRLF keep-alives (RFC 5626 4.4.1 uses STUN on UDP, but
// some clients send CRLFs), STUN and other non-SIP payloads. Leading line ends
// are removed; the rest is returned as is (RFC 3261 18.3: the datagram is the
// message, so Content-Length is checked by the parser, not here).
std::optional<std::string_view> datagram_message(std::string_view datagram);

}  // namespace parley::sip
