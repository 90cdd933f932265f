// Pieces of the port check shared by its source files and its unit tests; not
// for other modules (port_check.hpp is the interface).
#pragma once

#include <openssl/x509.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "topology/check/port_check.hpp"

namespace parley::check::detail {

// At most this many bytes are read from one stream probe (all responses
// together), and a datagram is received into a buffer of this size.
inline constexpr std::size_t kMaxRead = 64 * 1024;

// RFC 3261 17.1.2.2 Timer E for the UDP OPTIONS: T1, doubling up to T2.
inline constexpr std::chrono::milliseconds kT1{500};
inline constexpr std::chrono::milliseconds kT2{4000};

// The name a certificate must carry and SNI announces: server_name, else host
// (without IPv6 brackets).
std::string checked_name(const Options& options);

// True for a numeric IPv4 or IPv6 address (brackets allowed).
bool is_numeric_address(std::string_view host);

// One OPTIONS request (RFC 3261 11; headers of 8.1.1):
//   OPTIONS sip:HOST:PORT[;transport=tcp|tls] SIP/2.0
//   Via: SIP/2.0/UDP|TCP|TLS LOCAL_IP:LOCAL_PORT;branch=z9hG4bK...;rport
//   Max-Forwards: 70, From <sip:check@HOST>;tag=..., To <sip:HOST:PORT>,
//   Call-ID (random), CSeq: 1 OPTIONS, Accept: application/sdp,
//   User-Agent: parley-check, Content-Length: 0.
// HOST is `host` as given (IPv6 bracketed); LOCAL_IP the socket's local
// address. IPv6 zones ("%eth0") are left out of both.
struct OptionsRequest {
  std::string wire;    // the bytes to send
  std::string branch;  // the top Via branch, to match responses (RFC 3261 17.1.3)
  std::string call_id;
};
OptionsRequest make_options(std::string_view host, std::uint16_t port, Transport transport,
                            std::string_view local_ip, std::uint16_t local_port);

// What one received message (a framed stream message or a datagram's payload)
// means to a probe waiting for the final response to `request`.
enum class Reception {
  Ignored,      // not SIP, a request, or a response to another transaction
  Provisional,  // a 1xx for our request: keep waiting (RFC 3261 17.1.2.2)
  Final,        // a final response for our request: `out` filled (but for round_trip)
};
Reception receive(std::string bytes, const OptionsRequest& request, OptionsResult& out);

// Reads the leaf certificate `leaf` that came with `chain` (the peer's chain,
// leaf included, as the client sees it; may be null). `trust` (may be null:
// not verified) holds the trust anchors. `name` is checked per RFC 6125.
// `now` anchors days_left.
CertificateInfo inspect_certificate(X509* leaf, STACK_OF(X509) * chain, X509_STORE* trust,
                                    std::string_view name,
                                    std::chrono::system_clock::time_point now);

// Fills report.verdict, warnings and failures from the facts in `report`
// (the rules in port_check.hpp). `now` decides "not yet valid".
void judge(const Options& options, std::chrono::system_clock::time_point now, PortReport& report);

// "2027-11-21" (UTC).
std::string format_date(std::chrono::system_clock::time_point t);

}  // namespace parley::check::detail
