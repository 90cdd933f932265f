// The microbenchmarks' messages (corpus.hpp).
#include "corpus.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <sstream>
#include <variant>

namespace parley::bench {
namespace {

// Joins header lines with CRLF, adds Content-Length from the body, the empty
// line and the body.
std::string build(std::initializer_list<std::string_view> lines, std::string_view body) {
  std::string out;
  for (std::string_view l : lines) {
    out += l;
    out += "\r\n";
  }
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

std::string crlf(std::initializer_list<std::string_view> lines) {
  std::string out;
  for (std::string_view l : lines) {
    out += l;
    out += "\r\n";
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read " + path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

void fail(std::string_view what) {
  std::fprintf(stderr, "micro: %.*s\n", static_cast<int>(what.size()), what.data());
  std::exit(2);
}

sip::Message require_parse(const SampleMessage& m, std::string_view what) {
  sip::ParseResult r = sip::Message::parse(m.bytes);
  if (auto* e = std::get_if<sip::ParseError>(&r)) {
    fail(std::string(what) + ": " + m.name + " does not parse: " + e->reason);
  }
  return std::get<sip::Message>(std::move(r));
}

const SampleMessage& typical_register() {
  static const SampleMessage m{
      "register",
      build({
          "REGISTER sip:parley.test SIP/2.0",
          "Via: SIP/2.0/TLS 192.0.2.10:49833;branch=z9hG4bK.b2Jq7vXc4;rport;alias",
          "Max-Forwards: 70",
          "From: \"Alice Example\" <sip:alice@parley.test>;tag=a73kszlfl;epid=1f2e3d4c5b",
          "To: \"Alice Example\" <sip:alice@parley.test>",
          "Call-ID: 3c26700e5b9d4f1ab2c1e8d7f6a5b4c3",
          "CSeq: 2 REGISTER",
          "Contact: <sip:alice@192.0.2.10:49833;transport=tls;ob>;methods=\"INVITE, MESSAGE, "
          "INFO, SUBSCRIBE, OPTIONS, BYE, CANCEL, NOTIFY, ACK, REFER, BENOTIFY\";"
          "+sip.instance=\"<urn:uuid:0f3a2b1c-4d5e-4f60-8172-93a4b5c6d7e8>\";reg-id=1;"
          "expires=3600",
          "Authorization: Digest username=\"alice\", realm=\"parley.test\", "
          "nonce=\"Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODlhYmNkZWY\", uri=\"sip:parley.test\", "
          "response=\"5f1c3a0e8b7d2c4a9e6f0b1d3c5a7e9f\", algorithm=MD5, "
          "cnonce=\"8d2e4f6a0b1c3d5e\", qop=auth, nc=00000001, opaque=\"ab12cd34\"",
          "Supported: gruu-10, outbound, path, replaces, adhoclist, msrtc-event-categories",
          "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, SUBSCRIBE, INFO, MESSAGE, UPDATE, "
          "REFER, PRACK",
          "ms-keep-alive: UAC;hop-hop=yes",
          "Event: registration",
          "User-Agent: baresip v2.9.0 (x86_64/linux) UCCAPI/15.0.4481.1000 OC/15.0.4481.1000",
          "Expires: 3600",
      },
            "")};
  return m;
}

const SampleMessage& typical_invite() {
  static const std::string sdp = crlf({
      "v=0",
      "o=alice 2890844526 2890844527 IN IP4 192.0.2.10",
      "s=-",
      "c=IN IP4 192.0.2.10",
      "b=AS:2000",
      "t=0 0",
      "m=audio 40000 RTP/AVP 96 0 8 101",
      "a=rtpmap:96 opus/48000/2",
      "a=fmtp:96 useinbandfec=1",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-15",
      "a=ptime:20",
      "a=rtcp-mux",
      "a=sendrecv",
      "m=video 40002 RTP/AVP 97",
      "b=AS:1800",
      "a=rtpmap:97 H264/90000",
      "a=fmtp:97 profile-level-id=42e01f;packetization-mode=1",
      "a=rtcp-fb:97 nack pli",
      "a=rtcp-mux",
      "a=sendrecv",
  });
  static const SampleMessage m{
      "invite",
      build({
          "INVITE sip:bob@parley.test SIP/2.0",
          "Via: SIP/2.0/TLS 198.51.100.20:5061;branch=z9hG4bK-edge-7c1f4a9e2b6d;rport=5061",
          "Via: SIP/2.0/TLS 192.0.2.10:49833;received=203.0.113.7;"
          "branch=z9hG4bK.Uu2bGmTQY;rport=49833",
          "Max-Forwards: 69",
          "Record-Route: <sip:edge.parley.test:5061;transport=tls;lr;ms-edge-proxy-leg=ext>",
          "Route: <sip:fe01.parley.test:5061;transport=tls;lr>",
          "From: \"Alice Example\" <sip:alice@parley.test>;tag=kF3z9QpL1;epid=1f2e3d4c5b",
          "To: <sip:bob@parley.test>",
          "Call-ID: 8d7a2f60c1b44e0a9f3d5e1c2b7a6f90",
          "CSeq: 1 INVITE",
          "Contact: <sip:alice@192.0.2.10:49833;transport=tls;ob>;"
          "+sip.instance=\"<urn:uuid:0f3a2b1c-4d5e-4f60-8172-93a4b5c6d7e8>\"",
          "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY, SUBSCRIBE, INFO, MESSAGE, UPDATE, "
          "REFER, PRACK",
          "Supported: replaces, timer, 100rel, gruu-10, ms-dialog-route-set-update, "
          "ms-sender, ms-early-media",
          "Session-Expires: 1800;refresher=uac",
          "Min-SE: 90",
          "ms-subnet: 192.0.2.0",
          "ms-endpoint-location-data: NetworkScope;ms-media-location-type=Intranet",
          "P-Asserted-Identity: \"Alice Example\" <sip:alice@parley.test>",
          "User-Agent: baresip v2.9.0 (x86_64/linux) UCCAPI/15.0.4481.1000 OC/15.0.4481.1000",
          "Content-Type: application/sdp",
          "Content-Disposition: session; handling=required",
      },
            sdp)};
  return m;
}

const std::vector<SampleMessage>& rfc4475_valid() {
  static const std::vector<SampleMessage> set = [] {
    const std::string dir = std::string(PARLEY_TEST_DATA) + "/rfc4475/";
    std::istringstream manifest(read_file(dir + "manifest.tsv"));
    std::vector<SampleMessage> out;
    std::string line;
    while (std::getline(manifest, line)) {
      if (line.empty() || line[0] == '#') continue;
      // name \t section \t class \t expect \t note
      std::size_t t1 = line.find('\t');
      std::size_t t2 = t1 == std::string::npos ? t1 : line.find('\t', t1 + 1);
      std::size_t t3 = t2 == std::string::npos ? t2 : line.find('\t', t2 + 1);
      if (t3 == std::string::npos) fail("rfc4475/manifest.tsv: malformed line: " + line);
      if (line.substr(t2 + 1, t3 - t2 - 1) != "valid") continue;
      std::string name = line.substr(0, t1);
      out.push_back(SampleMessage{name, read_file(dir + name + ".sip")});
    }
    if (out.empty()) fail("rfc4475/manifest.tsv lists no valid message");
    return out;
  }();
  return set;
}

}  // namespace parley::bench
