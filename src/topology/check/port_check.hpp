// `parley check HOST`: is each documented port of a role reachable, and does
// the service behind it answer?
//
// The caller (the CLI verb) decides which ports to probe and passes them as
// Targets; run_checks() probes them all at once and judges each one;
// format_report() writes the result for people; passed() gives the exit status.
//
// A probe, per transport:
//   TCP  connect; with `sip`, an OPTIONS request (RFC 3261 11) on the connection.
//   TLS  connect, TLS handshake (SNI, RFC 6066 3), the server certificate read
//        and judged (RFC 5280 4.1.2.4-4.1.2.6, 4.2.1.6; RFC 6125 6.4 names);
//        with `sip`, the OPTIONS inside the TLS stream.
//   UDP  only with `sip`: an OPTIONS datagram from a connected socket,
//        retransmitted on RFC 3261 17.1.2.2 Timer E (T1 = 500 ms doubling up
//        to T2 = 4 s) until an answer or the deadline. Without `sip` a UDP
//        port is not probed: silence proves nothing.
//
// Time: every step (connect, handshake, waiting for the OPTIONS' final
// response) has its own deadline of Options::timeout, so one target costs at
// most 3 x timeout and, since all targets run concurrently on one
// asio::io_context in the calling thread, so does the whole check. Resolving
// the host is the exception: a DNS name goes through the system resolver once,
// before any probe, with the resolver's own timeouts.
//
// Untrusted input: everything the peer sends is bounded. At most 64 KiB is read
// from a stream per probe (one datagram of at most 64 KiB at a time for UDP);
// text that came from the peer (certificate names, Server header, reason
// phrase) is escaped by format_report before it reaches a terminal.
//
// Thread rules: run_checks blocks the calling thread and uses no other (except
// inside the system resolver); concurrent calls are independent.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace parley::check {

// How a target is probed.
enum class Transport : std::uint8_t {
  Tcp,  // TCP connect
  Tls,  // TCP connect, then a TLS handshake
  Udp,  // UDP datagram (only meaningful with Target::sip)
};
// "TCP", "TLS", "UDP".
std::string_view to_string(Transport t);

// One port to probe on Options::host.
struct Target {
  // Shown in the report after "PORT/TRANSPORT", so it need not repeat them,
  // e.g. "Front End / Front-End service (frontend.sip-tls)".
  std::string label;
  std::uint16_t port = 0;
  Transport transport = Transport::Tcp;
  // After connecting (TCP, TLS) or instead of it (UDP), send a SIP OPTIONS and
  // wait for a final response.
  bool sip = false;
  // A failure counts toward passed(); false = informational only (reported,
  // never fails the check).
  bool required = true;
};

struct Options {
  // DNS name or numeric address ("192.0.2.1", "::1" or "[::1]"). A name is
  // resolved once and the first address is probed; a numeric address is used
  // as is, without DNS.
  std::string host;
  // Deadline of each step: connect, TLS handshake, OPTIONS final response.
  std::chrono::milliseconds timeout{3000};
  // PEM file of trust anchors for the server certificates (RFC 5280 6.1).
  // Empty: certificates are not verified, and each TLS target gets the warning
  // "certificate not verified (no CA given)".
  std::filesystem::path ca;
  // The name sent in SNI and checked against the certificate (RFC 6125);
  // empty = host. SNI is not sent for a numeric address (RFC 6066 3).
  std::string server_name;
  // Warn when a certificate's notAfter is less than this far away.
  std::chrono::days expiry_warning{30};
  // Optional client certificate chain and key (PEM), offered to TLS servers
  // that require MTLS (server-to-server ports). Both or neither.
  std::filesystem::path client_certificate;
  std::filesystem::path client_key;
};

// What the transport level said.
enum class PortState : std::uint8_t {
  Open,       // TCP connected; UDP: some datagram came back
  Closed,     // connection refused (TCP RST; UDP: ICMP port unreachable)
  Filtered,   // no answer to the connection attempt within the timeout, or
              // host / network unreachable, or another connect error
  NoReply,    // UDP: nothing came back within the timeout
  NotProbed,  // UDP without `sip`: nothing to send
};
// "OPEN", "CLOSED", "FILTERED", "NO REPLY", "NOT PROBED".
std::string_view to_string(PortState s);

// The server certificate as seen in the TLS handshake (the leaf).
struct CertificateInfo {
  // RFC 5280 4.1.2.6 / 4.1.2.4, one line in RFC 2253 form: "CN=localhost",
  // "CN=Parley CA,O=Parley" (non-ASCII UTF-8 kept, control bytes escaped).
  std::string subject;
  std::string issuer;
  // RFC 5280 4.2.1.6 subjectAltName entries in certificate order: "DNS:host",
  // "IP:192.0.2.1", "IP:::1", "URI:...", "email:...", "othername".
  std::vector<std::string> subject_alt_names;
  // RFC 5280 4.1.2.5 validity (UTC).
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  // Whole days from the check to notAfter, rounded down; negative once expired.
  long days_left = 0;
  // The chain the server sent verifies against Options::ca (RFC 5280 6.1,
  // OpenSSL's path validation with the TLS-server purpose, validity periods
  // included). Always false when no CA was given.
  bool verified = false;
  // Why verification failed, in OpenSSL's words ("unable to get local issuer
  // certificate"); empty when verified or when no CA was given.
  std::string verify_error;
  // The name checked: Options::server_name, or host when that is empty.
  std::string checked_name;
  // The certificate names checked_name (RFC 6125 6.4: a DNS name against
  // dNSName entries, the subject CN only when there is none, no partial
  // wildcards; a numeric address against iPAddress entries).
  bool name_matches = false;
};

struct TlsResult {
  bool ok = false;      // handshake completed
  std::string error;    // why not (OpenSSL's reason, or the deadline); empty when ok
  std::string version;  // "TLSv1.3"
  std::string cipher;   // "TLS_AES_256_GCM_SHA384"
  // Present whenever the server presented a certificate (the handshake completed).
  std::optional<CertificateInfo> certificate;
};

// RFC 3261 11: the OPTIONS request and its final response. 1xx responses are
// skipped; responses for another transaction (RFC 3261 17.1.3: top Via branch
// and CSeq method) are ignored.
struct OptionsResult {
  bool answered = false;  // a final (>= 200) response arrived in time
  int status = 0;         // its status code; 0 when not answered
  std::string reason;     // its reason phrase, as sent
  // From sending the request (the first copy, for UDP) to the final response.
  std::chrono::microseconds round_trip{0};
  std::string server;  // the Server header, else User-Agent; empty if neither
  // Why there is no answer: "no final response within 3000 ms", "connection
  // closed by the peer before a final response", "the peer does not speak SIP",
  // "unreadable SIP stream: bad Content-Length", "no final response in the
  // first 64 KiB the peer sent", "port unreachable" (UDP), or a socket / TLS
  // error text. Empty when answered.
  std::string error;
};

enum class Verdict : std::uint8_t { Ok, Warn, Fail };
// "ok", "warn", "fail".
std::string_view to_string(Verdict v);

// The result for one Target. Verdict rules:
//   Fail  Closed, Filtered, NoReply; TLS handshake failed; certificate expired
//         or not yet valid; not verified against a given CA; OPTIONS without a
//         final response.
//   Warn  no CA given; certificate does not name the host; expires within
//         Options::expiry_warning; OPTIONS answered with a non-2xx status.
//   Ok    otherwise (including NotProbed).
struct PortReport {
  Target target;
  std::string address;  // the numeric address probed (IPv6 without brackets)
  PortState state = PortState::NotProbed;
  // The transport-level detail, empty when Open: the connect error text
  // ("Connection refused", "No route to host"), "no answer to the connection
  // request within 3000 ms", "nothing came back within 3000 ms" (UDP), or why
  // a port was not probed.
  std::string detail;
  std::optional<TlsResult> tls;          // TLS targets that connected
  std::optional<OptionsResult> options;  // targets with `sip` that got as far as sending it
  Verdict verdict = Verdict::Ok;
  std::vector<std::string> warnings;  // one line each, e.g. "certificate expires in 9 days"
  std::vector<std::string> failures;  // one line each, e.g. "port closed: Connection refused"
};

// Errors that stop the whole check before any probe: no host given, the host
// does not resolve, the CA or client certificate file is unreadable.
struct CheckError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Probes every target (concurrently) and returns one report per target, in
// target order. Throws CheckError as above; never for a port's failure.
std::vector<PortReport> run_checks(const Options& options, const std::vector<Target>& targets);

// The report for people: a header line
//
//   checking HOST (ADDRESS): N ports, timeout T ms per step, certificates verified against CA
//
// ("(ADDRESS)" only when it differs from HOST; "certificates not verified (no
// CA given)" without a CA), then one block per target, columns aligned:
//
//   5061/TLS  Front End / Front-End service (frontend.sip-tls)  OPEN  127.0.0.1
//       TLS: TLSv1.3 TLS_AES_256_GCM_SHA384
//       certificate: subject CN=localhost; issuer CN=Parley CA,O=Parley; SAN DNS:localhost,
//         IP:127.0.0.1; expires 2027-11-21 (364 days); verified; name matches  [one line]
//       SIP OPTIONS: 200 OK in 1.2 ms (Server: parley/0.1.0)
//       ok
//
// (state words: OPEN, CLOSED, FILTERED, NO REPLY, NOT PROBED, followed by
// the detail when not OPEN; "TLS: handshake failed (...)", "SIP OPTIONS: no
// answer (...)" when those steps failed; the last line of a block is "ok", or
// one "WARN: ..." / "FAIL: ..." line per problem, a FAIL line of a target that
// is not required ending in "(informational)"), then
//
//   3 ports checked: 1 ok, 1 warnings, 1 failed
//   result: FAIL (1 required port failed)      or   result: PASS
//
// Stable wording: scripts grep for the state words, "subject", "SIP OPTIONS: 200".
std::string format_report(const Options& options, const std::vector<PortReport>& reports);

// False if any required target has Verdict::Fail.
bool passed(const std::vector<PortReport>& reports);

}  // namespace parley::check
