// Fuzz target: the SDP parser and writer (src/sdp/, RFC 8866) on the input as
// a session description body.
//
// Checks, for every input:
//  - nothing throws, loops or reads out of bounds; every view in a parsed
//    description points into the input;
//  - an error has a reason and names a line the input has (or 0);
//  - a description that parses is whole: o= and s= seen, every m= has a
//    format, every IP4/IP6 c= address is of its family or a name;
//  - round trip: to_string(d) parses again, to a description equal to d, and
//    writing that one gives the same text (the writer is canonical);
//  - the accessors (connection_for, direction_of, rtpmap, accept_types ...)
//    run on every media description and return views into the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.hpp"
#include "sdp/fields.hpp"
#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"

namespace {

using parley::fuzz::printable;
using parley::fuzz::within;
using namespace parley::sdp;

void check_connection(const Connection& c, std::string_view text) {
  for (auto part : {c.nettype, c.addrtype, c.address}) PARLEY_FUZZ_CHECK(within(part, text));
  if (c.is_ip4() || c.is_ip6()) {
    PARLEY_FUZZ_CHECK(c.form != AddressForm::Other);
    PARLEY_FUZZ_CHECK(c.form == address_form(c.address));
  }
  if (c.count) PARLEY_FUZZ_CHECK(*c.count >= 1);
  (void)c.is_unspecified();
}

// The lookups scan every attribute; asking them for every name or format
// would make an input of a few thousand attributes quadratic, so only the
// first few are looked up (the views of all are checked).
constexpr std::size_t kLookups = 16;

void check_attributes(const std::vector<Attribute>& attrs, std::string_view text) {
  for (std::size_t i = 0; i < attrs.size(); ++i) {
    const Attribute& a = attrs[i];
    PARLEY_FUZZ_CHECK(is_token(a.name));
    PARLEY_FUZZ_CHECK(within(a.name, text));
    PARLEY_FUZZ_CHECK(within(a.value, text));
    PARLEY_FUZZ_CHECK(a.has_value || a.value.empty());
    if (i < kLookups) {
      const Attribute* found = find_attribute(attrs, a.name);
      PARLEY_FUZZ_CHECK(found != nullptr && found <= &a && found->name == a.name);
    }
  }
}

void check_description(const SessionDescription& sd, std::string_view text) {
  const Origin& o = sd.origin;
  for (auto part : {o.username, o.session_id, o.session_version, o.nettype, o.addrtype,
                    o.address, sd.session_name}) {
    PARLEY_FUZZ_CHECK(within(part, text));
  }
  PARLEY_FUZZ_CHECK(!o.username.empty() && !o.address.empty());
  (void)o.version_number();
  for (auto opt : {sd.information, sd.uri, sd.key}) {
    if (opt) PARLEY_FUZZ_CHECK(within(*opt, text));
  }
  for (auto e : sd.emails) PARLEY_FUZZ_CHECK(within(e, text));
  for (auto p : sd.phones) PARLEY_FUZZ_CHECK(within(p, text));
  if (sd.connection) check_connection(*sd.connection, text);
  for (const auto& b : sd.bandwidths) PARLEY_FUZZ_CHECK(within(b.type, text));
  for (const auto& t : sd.times) {
    for (const auto& r : t.repeats) PARLEY_FUZZ_CHECK(!r.offsets.empty());
  }
  check_attributes(sd.attributes, text);
  for (const auto& u : sd.unknown) {
    PARLEY_FUZZ_CHECK(u.type >= 'a' && u.type <= 'z');
    PARLEY_FUZZ_CHECK(within(u.value, text));
  }
  for (const auto& m : sd.media) {
    PARLEY_FUZZ_CHECK(within(m.media, text));
    PARLEY_FUZZ_CHECK(within(m.proto, text));
    PARLEY_FUZZ_CHECK(!m.formats.empty());
    for (std::size_t i = 0; i < m.formats.size(); ++i) {
      std::string_view f = m.formats[i];
      PARLEY_FUZZ_CHECK(!f.empty() && within(f, text));
      if (i >= kLookups) continue;
      if (auto r = m.rtpmap(f)) {
        PARLEY_FUZZ_CHECK(r->payload_type == f);
        PARLEY_FUZZ_CHECK(within(r->encoding, text) && within(r->parameters, text));
      }
    }
    for (const auto& c : m.connections) check_connection(c, text);
    for (const auto& b : m.bandwidths) PARLEY_FUZZ_CHECK(within(b.type, text));
    check_attributes(m.attributes, text);
    for (auto t : m.accept_types()) PARLEY_FUZZ_CHECK(!t.empty() && within(t, text));
    for (auto v : m.attribute_values("rtpmap")) PARLEY_FUZZ_CHECK(within(v, text));
    (void)m.type();
    const Connection* c = sd.connection_for(m);
    PARLEY_FUZZ_CHECK(c == nullptr || !m.connections.empty() || c == &*sd.connection);
    auto own = m.direction();
    auto d = sd.direction_of(m);
    PARLEY_FUZZ_CHECK(!own || *own == d);
    PARLEY_FUZZ_CHECK(sd.find_media(m.type()) != nullptr);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string owned(reinterpret_cast<const char*>(data), size);
  const std::string_view text = owned;

  auto result = parse(text);
  if (const auto* err = std::get_if<ParseError>(&result)) {
    PARLEY_FUZZ_CHECK(!err->reason.empty());
    auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    PARLEY_FUZZ_CHECK_MSG(err->line <= lines, "error line " + std::to_string(err->line) +
                                                  " past the input: " + err->reason);
    return 0;
  }
  const auto& sd = std::get<SessionDescription>(result);
  check_description(sd, text);

  // The output may be longer than the input (CRLF for LF, seconds for "1d"),
  // so it is read back without the size bound.
  const std::string written = to_string(sd);
  Limits unbounded;
  unbounded.max_bytes = written.size();
  auto again = parse(written, unbounded);
  if (const auto* err = std::get_if<ParseError>(&again)) {
    PARLEY_FUZZ_CHECK_MSG(false, "own output does not parse (" + err->reason + ", line " +
                                     std::to_string(err->line) + "): " + printable(written));
  }
  const auto& sd2 = std::get<SessionDescription>(again);
  check_description(sd2, written);
  PARLEY_FUZZ_CHECK_MSG(sd2 == sd, "differs from the parse of its own output: " +
                                       printable(written));
  PARLEY_FUZZ_CHECK_MSG(to_string(sd2) == written, "writer not canonical: " + printable(written));
  return 0;
}
