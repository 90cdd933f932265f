// The server's configuration: an immutable snapshot built once at startup from
// defaults, an optional TOML file (etc/parley.toml documents every key) and
// command-line overrides, then passed by const reference to whatever needs it.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string_view>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "topology/deployment.hpp"

namespace parley::config {

// Where one catalogue service listens. Keys are the catalogue's listener keys
// (topology/catalogue.hpp), e.g. "frontend.sip-tls".
struct ListenerOverride {
  std::optional<std::string> address;  // numeric IPv4/IPv6 address to bind
  std::optional<std::uint16_t> port;   // 0 = let the kernel choose
  std::optional<bool> enabled;
};

struct Limits {
  std::size_t max_message_size = 65535;          // bytes, one SIP message
  std::size_t max_header_count = 256;            // headers in one message
  std::size_t max_connections = 10000;           // TCP+TLS, in total
  std::size_t max_connections_per_ip = 2000;     // TCP+TLS, per source address
  std::chrono::seconds tcp_idle_timeout{600};    // no bytes in either direction
  std::chrono::seconds tls_handshake_timeout{10};
  // A message started on a stream must be complete this long after its first
  // byte, or the connection is closed: a peer sending one byte a second keeps
  // the idle timer quiet but cannot hold a connection (or its memory) forever.
  std::chrono::seconds message_timeout{10};
  // Per source address: more than this many requests ending unauthenticated
  // (401/407/403/404/480/400) within 10 s blocks the address for throttle_time,
  // answered 503 + Retry-After (app/source_throttle.hpp). 0 = no limit.
  std::uint32_t unauthenticated_limit = 1000;
  std::chrono::seconds throttle_time{30};
  std::uint32_t min_expires = 60;                // registrar: 423 below this (s)
  std::uint32_t max_expires = 7200;              // registrar: capped to this (s)
  std::uint32_t default_expires = 3600;          // registrar: when none given (s)
  std::chrono::seconds nonce_lifetime{300};      // Digest nonce validity
};

struct Tls {
  std::filesystem::path cert;         // server certificate chain (PEM)
  std::filesystem::path key;          // its private key (PEM)
  std::filesystem::path ca;           // CA that signed it; trusted for client certs
  bool verify_client = false;         // require and check client certificates (MTLS)
};

// Digest authentication (RFC 7616, RFC 8760).
struct Auth {
  // Offered in this order in every 401/407: "MD5" and/or "SHA-256". MD5 alone
  // by default: several deployed clients fail on a SHA-256 challenge even when
  // an MD5 one is beside it (baresip 1.0), or read only the first (sipsak).
  std::vector<std::string> digest_algorithms{"MD5"};
};

struct Config {
  std::vector<std::string> domains{"parley.test"};  // first one is the default
  std::string fqdn = "localhost";      // this server's name (certificate, Record-Route)
  std::filesystem::path data_dir = "data";
  std::string log_level = "info";      // trace, debug, info, warn, error
  unsigned workers = 0;                // 0 = one per core
  std::string default_address = "0.0.0.0";  // bind address when a listener has none
  std::map<std::string, ListenerOverride> listeners;
  // [topology]: the server roles this deployment runs (default: Standard Edition).
  // Listeners of roles it does not run are not opened.
  topology::Topology topology;
  Tls tls;                             // paths default to <data_dir>/pki/...
  Auth auth;
  Limits limits;

  std::filesystem::path database_path() const { return data_dir / "parley.db"; }
  std::filesystem::path pki_dir() const { return data_dir / "pki"; }
  bool is_local_domain(std::string_view host) const;
};

// Builds the default configuration ("embedded default": domain parley.test,
// ./data, generated CA) and, if `file` is given, applies the TOML file on top.
// Throws ConfigError with "file:line: message" on an unreadable file, a syntax
// error, an unknown key or a value of the wrong type or range.
Config load(const std::optional<std::filesystem::path>& file);

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace parley::config
