// Messages the microbenchmarks feed to the SIP code: the RFC 4475 valid set
// (tests/data/rfc4475, read through its manifest.tsv) and a typical REGISTER and
// INVITE as a Lync or baresip client sends them to a Front End.
//
// Every message is checked once, before any timing, to parse successfully: a
// benchmark must never time an error path by mistake. A message that does not
// parse (or a corpus that cannot be read) ends the process with a message on
// stderr and exit status 2, so the ctest smoke run fails loudly.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sip/message.hpp"

namespace parley::bench {

struct SampleMessage {
  std::string name;   // "register", "invite", or the RFC 4475 name ("wsinv")
  std::string bytes;  // the exact octets, CRLF line ends
};

// A REGISTER carrying Digest credentials (the second REGISTER of the 401
// exchange, RFC 3261 22.2), with outbound/GRUU Contact parameters
// (+sip.instance, reg-id; RFC 5626 4.1, RFC 5627) and the Lync extras
// (ms-keep-alive, Event: registration). About 1.2 KB.
const SampleMessage& typical_register();

// An initial INVITE with an SDP offer (audio and video), as it reaches the Front
// End from the Edge: two Vias, a Record-Route from the Edge and a Route naming
// the Front End (RFC 3261 16.6, 16.12). About 1.7 KB.
const SampleMessage& typical_invite();

// The messages RFC 4475 calls valid ("valid" in manifest.tsv's class column),
// in manifest order. Loaded once; exits (status 2) if the manifest or a message
// file cannot be read or the set is empty.
const std::vector<SampleMessage>& rfc4475_valid();

// Parses `m` and returns the message; on a ParseError prints
// "micro: <what>: <name> does not parse: <reason>" and exits with status 2.
sip::Message require_parse(const SampleMessage& m, std::string_view what);

// Prints "micro: <what>" and exits with status 2.
[[noreturn]] void fail(std::string_view what);

}  // namespace parley::bench
