// Fuzz target: the header-value parsers of sip/uri.hpp and sip/message.hpp on
// the input as text: parse_uri (RFC 3261 19.1), parse_name_addr (20.10),
// parse_via (20.42, RFC 3581), parse_cseq (20.16), parse_params and
// split_comma_list (7.3.1), unescape.
//
// Checks, for every input:
//  - nothing throws or reads out of bounds; every view a parser returns points
//    into the text it was given;
//  - a URI that parses equals itself (uri_equal is reflexive, RFC 3261
//    19.1.4), and its own text parses again to an equal URI;
//  - a name-addr's URI text parses as a URI and equals the name-addr's URI;
//  - a Via's host and parameters come from the value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "sip/message.hpp"
#include "sip/uri.hpp"

namespace {

using parley::fuzz::printable;
using parley::fuzz::within;
using namespace parley::sip;

void check_params(const Params& ps, std::string_view text) {
  for (const auto& p : ps) {
    PARLEY_FUZZ_CHECK(within(p.name, text));
    PARLEY_FUZZ_CHECK(within(p.value, text));
    PARLEY_FUZZ_CHECK(p.has_value || p.value.empty());
  }
}

void check_uri(const Uri& u, std::string_view text) {
  PARLEY_FUZZ_CHECK(within(u.text, text));
  for (auto part : {u.scheme, u.user, u.password, u.host, u.headers}) {
    PARLEY_FUZZ_CHECK(within(part, u.text));
  }
  check_params(u.params, u.text);
  if (!uri_equal(u, u)) {
    std::string why = "not equal to itself: " + printable(u.text);
    for (std::size_t i = 0; i < u.params.size(); ++i) {
      for (std::size_t j = i + 1; j < u.params.size(); ++j) {
        if (iequals(u.params[i].name, u.params[j].name)) {
          why += " (parameter \"" + printable(u.params[i].name) + "\" given twice)";
          i = j = u.params.size();
        }
      }
    }
    PARLEY_FUZZ_CHECK_MSG(uri_equal(u, u), why);
  }
  (void)u.is_sips();
  (void)u.host_lower();
  if (u.is_sip()) (void)u.aor();
  for (const auto& p : u.params) {
    PARLEY_FUZZ_CHECK(u.param(p.name).has_value());
    (void)unescape(p.value);
  }
  std::string error;
  auto again = parse_uri(u.text, &error);
  PARLEY_FUZZ_CHECK_MSG(again.has_value(), "own text does not parse (" + error + "): " +
                                               printable(u.text));
  PARLEY_FUZZ_CHECK_MSG(uri_equal(u, *again) && uri_equal(*again, u),
                        "differs from its reparse: " + printable(u.text));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string owned(reinterpret_cast<const char*>(data), size);
  const std::string_view text = owned;
  std::string error;

  if (auto u = parse_uri(text, &error)) {
    check_uri(*u, text);
  } else {
    PARLEY_FUZZ_CHECK(!error.empty());
  }

  error.clear();
  if (auto na = parse_name_addr(text, &error)) {
    PARLEY_FUZZ_CHECK(within(na->text, text));
    PARLEY_FUZZ_CHECK(within(na->display_name, text));
    check_params(na->params, text);
    for (const auto& p : na->params) PARLEY_FUZZ_CHECK(na->param(p.name).has_value());
    (void)na->tag();
    if (!na->wildcard) check_uri(na->uri, text);
  } else {
    PARLEY_FUZZ_CHECK(!error.empty());
  }

  error.clear();
  if (auto via = parse_via(text, &error)) {
    for (auto part : {via->protocol, via->transport, via->host}) {
      PARLEY_FUZZ_CHECK(within(part, text));
    }
    PARLEY_FUZZ_CHECK(!via->transport.empty());
    check_params(via->params, text);
    PARLEY_FUZZ_CHECK(within(via->branch(), text));
    (void)via->received();
    (void)via->has_rport();
    (void)via->rfc3261_branch();
  } else {
    PARLEY_FUZZ_CHECK(!error.empty());
  }

  if (auto cseq = parse_cseq(text)) {
    PARLEY_FUZZ_CHECK(within(cseq->method_text, text));
    PARLEY_FUZZ_CHECK(cseq->method == method_from(cseq->method_text));
  }

  Params ps;
  if (parse_params(text, ps)) check_params(ps, text);

  for (auto item : split_comma_list(text)) {
    PARLEY_FUZZ_CHECK(!item.empty());
    PARLEY_FUZZ_CHECK(within(item, text));
    PARLEY_FUZZ_CHECK(trim(item) == item);
  }

  // unescape never grows the text; valid escapes shrink it by two each.
  PARLEY_FUZZ_CHECK(unescape(text).size() <= text.size());
  return 0;
}
