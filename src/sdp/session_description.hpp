// SDP session descriptions (RFC 8866, which obsoletes RFC 4566): the parsed
// shape and the questions a proxy or an MCU asks of it.
//
// Lifetime: every std::string_view here points into the text that
// sdp::parse() (parse.hpp) was given; the caller keeps that text alive as
// long as the SessionDescription (a SIP body lives as long as its Message).
// Numbers (ports, times, bandwidths, TTLs) are parsed; everything else is kept
// as written, so to_string() (serialize.hpp) reproduces every value byte for
// byte and only the layout becomes canonical.
//
// Equality (operator==) compares values, not positions: a description and the
// parse of its own to_string() are equal.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace parley::sdp {

// o= (RFC 8866 5.2): <username> <sess-id> <sess-version> <nettype> <addrtype>
// <unicast-address>. The ids are kept as written (RFC 8866 9: 1*DIGIT, which
// some implementations fill with 64-bit or larger values).
struct Origin {
  std::string_view username;         // "-" when the host has no user ids
  std::string_view session_id;
  std::string_view session_version;  // RFC 3264 8: +1 with every changed offer
  std::string_view nettype;          // "IN"
  std::string_view addrtype;         // "IP4", "IP6", ...
  std::string_view address;          // FQDN or literal, not checked

  // session_version as a number; nullopt when not 1*DIGIT or over 2^64-1.
  std::optional<std::uint64_t> version_number() const;
  bool operator==(const Origin&) const = default;
};

// What a c= address is, judged from its text (RFC 8866 5.7, 9: IP4-address,
// IP6-address (RFC 4291 2.2, including the IPv4-mapped ::ffff:a.b.c.d form of
// RFC 5118 4.9), FQDN). Other is any address of a nettype/addrtype this parser
// does not know (e.g. "c=TN RFC2543 +1-617-555-0100"): kept, not checked.
enum class AddressForm : std::uint8_t { IPv4, IPv6, Fqdn, Other };

// c= (RFC 8866 5.7): <nettype> <addrtype> <connection-address>.
// For addrtype IP4 the address may carry "/<ttl>[/<number of addresses>]", for
// IP6 "/<number of addresses>" (multicast, RFC 8866 5.7); they are split off
// into `ttl` and `count`. An IP4 or IP6 address must be a literal of that
// family or an FQDN; other addrtypes keep the address whole.
struct Connection {
  std::string_view nettype;            // "IN"
  std::string_view addrtype;           // "IP4", "IP6" (compared case-insensitively)
  std::string_view address;            // without "/ttl" and "/count"
  std::optional<std::uint8_t> ttl;     // IP4 only: 0..255
  std::optional<std::uint32_t> count;  // number of addresses, >= 1
  AddressForm form = AddressForm::Other;

  bool is_ip4() const;  // addrtype IP4
  bool is_ip6() const;  // addrtype IP6
  // 0.0.0.0 (or ::): the old way to put a stream on hold (RFC 3264 8.4).
  bool is_unspecified() const;
  bool operator==(const Connection&) const = default;
};

// b= (RFC 8866 5.8): <bwtype>:<bandwidth>. Units depend on the type: kilobits
// per second for CT and AS, bits per second for TIAS (RFC 3890), RS and RR
// (RFC 3556).
struct Bandwidth {
  std::string_view type;  // "CT", "AS", "TIAS", "X-..." as written
  std::uint64_t value = 0;
  bool operator==(const Bandwidth&) const = default;
};

// r= (RFC 8866 5.10): every value in seconds (the "d", "h", "m", "s" units of
// the typed-time form are expanded; to_string() writes plain seconds).
struct RepeatTimes {
  std::uint64_t interval = 0;
  std::uint64_t duration = 0;
  std::vector<std::uint64_t> offsets;  // at least one
  bool operator==(const RepeatTimes&) const = default;
};

// t= and the r= lines after it (RFC 8866 5.9). NTP seconds (since 1900);
// start 0 with stop 0 is a permanent session, stop 0 alone an unbounded one.
struct TimeDescription {
  std::uint64_t start = 0;
  std::uint64_t stop = 0;
  std::vector<RepeatTimes> repeats;
  bool operator==(const TimeDescription&) const = default;
};

// One <adjustment time> <offset> pair of z= (RFC 8866 5.11), in seconds.
struct TimeZoneAdjustment {
  std::uint64_t time = 0;
  std::int64_t offset = 0;
  bool operator==(const TimeZoneAdjustment&) const = default;
};

// a= (RFC 8866 5.13): "a=<name>" (a property) or "a=<name>:<value>". The name
// is a token; the value is everything after the first ':' as written (it may
// be empty, "a=x:", which has_value tells apart from "a=x").
struct Attribute {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
  bool operator==(const Attribute&) const = default;
};

// A line whose type letter RFC 8866 does not define (e.g. "y=" of some video
// surveillance profiles). RFC 8866 5 lets a parser ignore such lines; they are
// kept, at the level where they appeared, so a proxy can forward them.
struct UnknownLine {
  char type = 0;  // 'a'..'z'
  std::string_view value;
  bool operator==(const UnknownLine&) const = default;
};

// The media types of RFC 8866 5.14 and 8.2.2 (plus "message", RFC 4975, and
// "text", RFC 4103); anything else is Other and read from `media`.
enum class MediaType : std::uint8_t { Audio, Video, Text, Application, Message, Image, Other };
MediaType media_type(std::string_view media);

// The direction attributes of RFC 8866 6.7.1-6.7.4 (RFC 3264 5.1).
enum class Direction : std::uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
// (RFC 8866 6.6). clock_rate is 0 when the value has no "/<clock rate>" (some
// old offers write "a=rtpmap:31 LPC"; RFC 4475 3.1.1.1).
struct RtpMap {
  std::string_view payload_type;
  std::string_view encoding;    // "PCMU", "H263-1998", "SILK", ... as written
  std::uint32_t clock_rate = 0;  // Hz
  std::string_view parameters;  // e.g. channels "2"; empty if none
};

// Attribute helpers shared by the session and media levels: the first
// attribute with this exact name (names compare byte for byte, as written), or
// nullptr.
const Attribute* find_attribute(const std::vector<Attribute>& attrs, std::string_view name);

// m= and the lines after it up to the next m= (RFC 8866 5.14):
// m=<media> <port>[/<number of ports>] <proto> <fmt> ...
struct MediaDescription {
  std::string_view media;                // "audio", "video", "message", ...
  std::uint16_t port = 0;                // 0: stream disabled (RFC 3264 6)
  std::optional<std::uint32_t> port_count;  // "/2" (RFC 8866 5.14), >= 1
  std::string_view proto;                // "RTP/AVP", "RTP/SAVP", "TCP/MSRP", "sip" ...
  std::vector<std::string_view> formats; // at least one; RTP payload types, "*", "null" ...
  std::optional<std::string_view> information;  // i= (media title)
  std::vector<Connection> connections;   // c=; several only for layered multicast
  std::vector<Bandwidth> bandwidths;     // b=
  std::optional<std::string_view> key;   // k= (obsolete, RFC 8866 5.12)
  std::vector<Attribute> attributes;     // a=, in order
  std::vector<UnknownLine> unknown;

  MediaType type() const { return media_type(media); }
  bool disabled() const { return port == 0; }
  const Attribute* find_attribute(std::string_view name) const {
    return sdp::find_attribute(attributes, name);
  }
  // The values of every attribute with this name, in order (e.g. "rtpmap").
  std::vector<std::string_view> attribute_values(std::string_view name) const;
  // The rtpmap of one format, nullopt when none (or it does not parse).
  std::optional<RtpMap> rtpmap(std::string_view format) const;
  // The media types of a=accept-types (RFC 4975 8.6; Lync IM sessions use it
  // on "m=message 5060 sip null"), split on whitespace; empty when absent.
  std::vector<std::string_view> accept_types() const;
  // This media's own direction attribute, if it has one (the last one wins).
  std::optional<Direction> direction() const;
  bool operator==(const MediaDescription&) const = default;
};

// A whole session description (RFC 8866 5). A parsed one always has v=0, an
// o= and an s= line; the session name may be empty ("s=", as RFC 5118 4.8
// sends, is accepted although RFC 8866 5.3 asks for "s= ").
struct SessionDescription {
  Origin origin;
  std::string_view session_name;                 // s=
  std::optional<std::string_view> information;   // i=
  std::optional<std::string_view> uri;           // u=
  std::vector<std::string_view> emails;          // e=
  std::vector<std::string_view> phones;          // p=
  std::optional<Connection> connection;          // c=
  std::vector<Bandwidth> bandwidths;             // b=
  std::vector<TimeDescription> times;            // t= (+ r=); may be empty, see parse.hpp
  std::vector<TimeZoneAdjustment> zone_adjustments;  // z=, all lines together
  std::optional<std::string_view> key;           // k= (obsolete)
  std::vector<Attribute> attributes;             // session-level a=
  std::vector<UnknownLine> unknown;              // session-level unknown lines
  std::vector<MediaDescription> media;           // m= sections, in order

  const Attribute* find_attribute(std::string_view name) const {
    return sdp::find_attribute(attributes, name);
  }
  // The connection that applies to `m` (RFC 8866 5.7): its own first c=, else
  // the session's; nullptr when neither has one.
  const Connection* connection_for(const MediaDescription& m) const;
  // The direction that applies to `m` (RFC 8866 6.7): its own attribute, else
  // the session's, else sendrecv.
  Direction direction_of(const MediaDescription& m) const;
  // The first media description of this type, or nullptr.
  const MediaDescription* find_media(MediaType type) const;
  bool operator==(const SessionDescription&) const = default;
};

}  // namespace parley::sdp
