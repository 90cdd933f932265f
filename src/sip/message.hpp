// SIP messages (RFC 3261 section 7, 20, 25): zero-copy parse, edit, serialize.
//
// A Message owns the bytes it was parsed from; its headers are views into those
// bytes. Edits (a proxy's Via, Record-Route, Max-Forwards; a new Request-URI)
// add small owned strings and leave every other header untouched, so a proxied
// message keeps unknown headers byte for byte. Copying a Message is cheap: the
// buffer and the owned strings are shared and immutable.
//
// Headers that RFC 3261 7.3.1 allows to be combined with commas (Via, Route,
// Record-Route, Contact and the other list headers) are split into one Header
// per element at parse time, so "the top Via" is simply the first Via header.
// Other headers, including every unknown one, keep their whole line as written.
//
// Errors: parse() never throws on bad input; it returns a ParseError whose
// `reason` is suitable as a 400 reason phrase.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sip/uri.hpp"

namespace parley::sip {

enum class Method : std::uint8_t {
  Unknown, Invite, Ack, Bye, Cancel, Register, Options, Message, Info, Prack,
  Update, Subscribe, Notify, Publish, Refer, Service, Benotify,
};
// Methods are case-sensitive (RFC 3261 7.1); anything unlisted is Unknown and
// the text is kept in method_text().
Method method_from(std::string_view text);
std::string_view method_name(Method m);

// Known header names. Compact forms (RFC 3261 7.3.3 and registered ones) map to
// the same id. Anything else is Other and found by name.
enum class HeaderId : std::uint8_t {
  Other,
  Accept, AcceptEncoding, AcceptLanguage, AlertInfo, Allow, AllowEvents,
  AuthenticationInfo, Authorization, CallId, CallInfo, Contact,
  ContentDisposition, ContentEncoding, ContentLanguage, ContentLength,
  ContentType, CSeq, Date, ErrorInfo, Event, Expires, From, InReplyTo,
  MaxForwards, MimeVersion, MinExpires, Organization, Path, Priority,
  ProxyAuthenticate, ProxyAuthorization, ProxyRequire, RecordRoute, ReferTo,
  ReferredBy, ReplyTo, Require, RetryAfter, Route, Server, Subject,
  SubscriptionState, Supported, Timestamp, To, Unsupported, UserAgent, Via,
  Warning, WWWAuthenticate, SipETag, SipIfMatch,
};
// Maps a header name (full or compact, any case) to its id.
HeaderId header_id(std::string_view name);
// The canonical full name of a known header ("Call-ID" for CallId).
std::string_view header_name(HeaderId id);
// True for headers whose value is a comma-separated list (split at parse time).
bool is_list_header(HeaderId id);

struct Header {
  HeaderId id = HeaderId::Other;
  std::string_view name;   // as written (compact or full), or canonical when added
  std::string_view value;  // trimmed value (one element for list headers)
  std::string_view line;   // the original line without CRLF (folding kept);
                           // empty when the header was split, added or edited
};

// The Via header value (RFC 3261 20.42, RFC 3581).
struct Via {
  std::string_view protocol;   // "SIP/2.0"
  std::string_view transport;  // "UDP", "TCP", "TLS", ...
  std::string_view host;       // IPv6 with brackets
  std::uint16_t port = 0;      // 0 when absent
  Params params;

  std::string_view branch() const { return find_param(params, "branch").value_or(""); }
  std::optional<std::string_view> received() const { return find_param(params, "received"); }
  // rport present (with or without a value)?
  bool has_rport() const { return find_param(params, "rport").has_value(); }
  // RFC 3261 8.1.1.7: branch starts with the magic cookie "z9hG4bK".
  bool rfc3261_branch() const { return branch().substr(0, 7) == "z9hG4bK"; }
};
std::optional<Via> parse_via(std::string_view value, std::string* error = nullptr);

struct CSeq {
  std::uint32_t number = 0;
  Method method = Method::Unknown;
  std::string_view method_text;
};
std::optional<CSeq> parse_cseq(std::string_view value);

struct ParseError {
  std::string reason;  // e.g. "Missing Call-ID", "Bad Content-Length"
  int status = 400;    // 400, or 505 for an unsupported SIP version (RFC 3261 21.5.6)
  std::shared_ptr<const std::string> bytes;  // the input, for logs and error responses
};

class Message;
using ParseResult = std::variant<Message, ParseError>;

class Message {
 public:
  Message() = default;

  // Parses one complete message. For datagrams, a missing Content-Length means
  // "the rest of the datagram"; a Content-Length larger than the remaining bytes
  // is an error. For streams the caller has already framed exactly one message
  // (see framing.hpp). Line folding (RFC 3261 7.3.1) is accepted. Checks the
  // mandatory headers of RFC 3261 8.1.1 (To, From, CSeq, Call-ID, Via for
  // requests; Max-Forwards is not mandatory on input) and that the CSeq method
  // matches a request's method.
  static ParseResult parse(std::string bytes);

  // Builds a response to `request` (RFC 3261 8.2.6): copies Via, From, To,
  // Call-ID and CSeq; adds `to_tag` to To if it has none and to_tag is
  // non-empty; Content-Length: 0. The reason defaults to the standard phrase.
  static Message make_response(const Message& request, int status,
                               std::string_view reason = {},
                               std::string_view to_tag = {});

  // Builds a request from parts; `headers` are full header lines without CRLF.
  // Used by UAC code (CANCEL, ACK for non-2xx, tests).
  static Message make_request(Method method, std::string_view request_uri,
                              const std::vector<std::string>& headers,
                              std::string_view body = {});

  bool is_request() const { return is_request_; }
  bool is_response() const { return !is_request_; }

  // Request line.
  Method method() const { return method_; }
  std::string_view method_text() const { return method_text_; }
  const Uri& request_uri() const { return request_uri_; }
  // Status line.
  int status() const { return status_; }
  std::string_view reason() const { return reason_; }

  const std::vector<Header>& headers() const { return headers_; }
  // First header with this id / name (case-insensitive, full or compact form).
  const Header* find(HeaderId id) const;
  const Header* find(std::string_view name) const;
  std::vector<const Header*> find_all(HeaderId id) const;
  std::size_t count(HeaderId id) const;

  // Parsed views of the common headers; nullopt if absent or malformed (parse()
  // already rejected messages whose mandatory headers are malformed).
  std::optional<Via> top_via() const;
  std::optional<NameAddr> from() const;
  std::optional<NameAddr> to() const;
  std::string_view call_id() const;
  std::optional<CSeq> cseq() const;
  std::optional<std::uint32_t> max_forwards() const;
  std::optional<std::uint32_t> expires() const;  // Expires header, seconds
  std::string_view content_type() const;
  std::string_view body() const { return body_; }

  // Edits. Each returns *this for chaining. `name` defaults to the canonical
  // name. Values are copied into storage the message owns.
  Message& set_request_uri(std::string_view uri);
  Message& set_status(int status, std::string_view reason = {});
  Message& push_front(HeaderId id, std::string_view value, std::string_view name = {});
  Message& push_back(HeaderId id, std::string_view value, std::string_view name = {});
  Message& push_back(std::string_view name, std::string_view value);
  // Removes the first header with this id (e.g. the top Via or Route).
  Message& pop_front(HeaderId id);
  Message& remove_all(HeaderId id);
  Message& remove_all(std::string_view name);
  // Replaces every header with this id by one header with `value`.
  Message& set(HeaderId id, std::string_view value);
  // Replaces the body and its Content-Type (empty type removes Content-Type).
  Message& set_body(std::string_view body, std::string_view content_type);
  // Adds a parameter to a header value; `index`-th header with that id.
  Message& add_param(HeaderId id, std::string_view param, std::size_t index = 0);
  // Replaces the value of the `index`-th header with that id (keeps its name).
  Message& replace_value(HeaderId id, std::string_view value, std::size_t index = 0);

  // Wire form. Unedited headers are written byte for byte; Content-Length is
  // written from the body when the message has been edited or had none.
  std::string serialize() const;

  // The bytes parse() saw (empty for built messages).
  std::string_view raw() const;

 private:
  static std::optional<ParseError> parse_into(Message& m);
  std::string_view own(std::string_view s);  // copies into owned storage

  std::shared_ptr<const std::string> buffer_;
  std::vector<std::shared_ptr<const std::string>> owned_;
  bool is_request_ = true;
  Method method_ = Method::Unknown;
  std::string_view method_text_;
  std::string_view request_uri_text_;
  Uri request_uri_;
  std::string_view version_;
  int status_ = 0;
  std::string_view reason_;
  std::vector<Header> headers_;
  std::string_view body_;
  bool body_edited_ = false;
};

// The standard reason phrase for a status code ("Not Found"), or "Unknown".
std::string_view reason_phrase(int status);

}  // namespace parley::sip
