// Method and header name tables (RFC 3261 7.1, 20; compact forms 7.3.3 and the
// IANA SIP parameters registry).
#include <array>

#include "sip/chars.hpp"
#include "sip/message.hpp"

namespace parley::sip {
namespace {

struct MethodName {
  Method method;
  std::string_view name;
};
constexpr std::array<MethodName, 16> kMethods{{
    {Method::Invite, "INVITE"}, {Method::Ack, "ACK"}, {Method::Bye, "BYE"},
    {Method::Cancel, "CANCEL"}, {Method::Register, "REGISTER"}, {Method::Options, "OPTIONS"},
    {Method::Message, "MESSAGE"}, {Method::Info, "INFO"}, {Method::Prack, "PRACK"},
    {Method::Update, "UPDATE"}, {Method::Subscribe, "SUBSCRIBE"}, {Method::Notify, "NOTIFY"},
    {Method::Publish, "PUBLISH"}, {Method::Refer, "REFER"}, {Method::Service, "SERVICE"},
    {Method::Benotify, "BENOTIFY"},
}};

struct HeaderName {
  HeaderId id;
  std::string_view name;
  char compact;  // 0 if none
};
constexpr std::array<HeaderName, 53> kHeaders{{
    {HeaderId::Accept, "Accept", 0},
    {HeaderId::AcceptEncoding, "Accept-Encoding", 0},
    {HeaderId::AcceptLanguage, "Accept-Language", 0},
    {HeaderId::AlertInfo, "Alert-Info", 0},
    {HeaderId::Allow, "Allow", 0},
    {HeaderId::AllowEvents, "Allow-Events", 'u'},
    {HeaderId::AuthenticationInfo, "Authentication-Info", 0},
    {HeaderId::Authorization, "Authorization", 0},
    {HeaderId::CallId, "Call-ID", 'i'},
    {HeaderId::CallInfo, "Call-Info", 0},
    {HeaderId::Contact, "Contact", 'm'},
    {HeaderId::ContentDisposition, "Content-Disposition", 0},
    {HeaderId::ContentEncoding, "Content-Encoding", 'e'},
    {HeaderId::ContentLanguage, "Content-Language", 0},
    {HeaderId::ContentLength, "Content-Length", 'l'},
    {HeaderId::ContentType, "Content-Type", 'c'},
    {HeaderId::CSeq, "CSeq", 0},
    {HeaderId::Date, "Date", 0},
    {HeaderId::ErrorInfo, "Error-Info", 0},
    {HeaderId::Event, "Event", 'o'},
    {HeaderId::Expires, "Expires", 0},
    {HeaderId::From, "From", 'f'},
    {HeaderId::InReplyTo, "In-Reply-To", 0},
    {HeaderId::MaxForwards, "Max-Forwards", 0},
    {HeaderId::MimeVersion, "MIME-Version", 0},
    {HeaderId::MinExpires, "Min-Expires", 0},
    {HeaderId::Organization, "Organization", 0},
    {HeaderId::Path, "Path", 0},
    {HeaderId::Priority, "Priority", 0},
    {HeaderId::ProxyAuthenticate, "Proxy-Authenticate", 0},
    {HeaderId::ProxyAuthorization, "Proxy-Authorization", 0},
    {HeaderId::ProxyRequire, "Proxy-Require", 0},
    {HeaderId::RecordRoute, "Record-Route", 0},
    {HeaderId::ReferTo, "Refer-To", 'r'},
    {HeaderId::ReferredBy, "Referred-By", 'b'},
    {HeaderId::ReplyTo, "Reply-To", 0},
    {HeaderId::Require, "Require", 0},
    {HeaderId::RetryAfter, "Retry-After", 0},
    {HeaderId::Route, "Route", 0},
    {HeaderId::Server, "Server", 0},
    {HeaderId::Subject, "Subject", 's'},
    {HeaderId::SubscriptionState, "Subscription-State", 0},
    {HeaderId::Supported, "Supported", 'k'},
    {HeaderId::Timestamp, "Timestamp", 0},
    {HeaderId::To, "To", 't'},
    {HeaderId::Unsupported, "Unsupported", 0},
    {HeaderId::UserAgent, "User-Agent", 0},
    {HeaderId::Via, "Via", 'v'},
    {HeaderId::Warning, "Warning", 0},
    {HeaderId::WWWAuthenticate, "WWW-Authenticate", 0},
    {HeaderId::SipETag, "SIP-ETag", 0},
    {HeaderId::SipIfMatch, "SIP-If-Match", 0},
    {HeaderId::Other, "", 0},
}};

}  // namespace

Method method_from(std::string_view text) {
  for (const auto& m : kMethods) {
    if (m.name == text) return m.method;
  }
  return Method::Unknown;
}

std::string_view method_name(Method m) {
  for (const auto& e : kMethods) {
    if (e.method == m) return e.name;
  }
  return "UNKNOWN";
}

HeaderId header_id(std::string_view name) {
  if (name.size() == 1) {
    char c = ascii_lower(name[0]);
    for (const auto& h : kHeaders) {
      if (h.compact == c) return h.id;
    }
    return HeaderId::Other;
  }
  // Length and first letter rule out nearly every entry before the full comparison.
  const char first = ascii_lower(name[0]);
  for (const auto& h : kHeaders) {
    if (h.name.size() == name.size() && ascii_lower(h.name[0]) == first && iequals(h.name, name))
      return h.id;
  }
  return HeaderId::Other;
}

std::string_view header_name(HeaderId id) {
  for (const auto& h : kHeaders) {
    if (h.id == id) return h.name;
  }
  return {};
}

bool is_list_header(HeaderId id) {
  switch (id) {
    case HeaderId::Via:
    case HeaderId::Route:
    case HeaderId::RecordRoute:
    case HeaderId::Contact:
    case HeaderId::Path:
      return true;
    default:
      return false;
  }
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100: return "Trying";
    case 180: return "Ringing";
    case 181: return "Call Is Being Forwarded";
    case 182: return "Queued";
    case 183: return "Session Progress";
    case 200: return "OK";
    case 202: return "Accepted";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Moved Temporarily";
    case 305: return "Use Proxy";
    case 380: return "Alternative Service";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 414: return "Request-URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Unsupported URI Scheme";
    case 420: return "Bad Extension";
    case 421: return "Extension Required";
    case 423: return "Interval Too Brief";
    case 480: return "Temporarily Unavailable";
    case 481: return "Call/Transaction Does Not Exist";
    case 482: return "Loop Detected";
    case 483: return "Too Many Hops";
    case 484: return "Address Incomplete";
    case 485: return "Ambiguous";
    case 486: return "Busy Here";
    case 487: return "Request Terminated";
    case 488: return "Not Acceptable Here";
    case 489: return "Bad Event";
    case 491: return "Request Pending";
    case 493: return "Undecipherable";
    case 500: return "Server Internal Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Server Time-out";
    case 505: return "Version Not Supported";
    case 513: return "Message Too Large";
    case 600: return "Busy Everywhere";
    case 603: return "Decline";
    case 604: return "Does Not Exist Anywhere";
    case 606: return "Not Acceptable";
    default: return "Unknown";
  }
}

}  // namespace parley::sip
