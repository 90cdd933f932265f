// The server's private PKI: a CA of its own and a server certificate it signed.
//
// A fresh installation has no certificates, yet SIP over TLS (RFC 3261 26.2) and
// the MTLS links of the port table need one. On first start ensure_pki creates, in
// `dir`:
//   ca.key      the CA's EC P-256 private key (PEM PKCS#8, mode 0600)
//   ca.crt      the self-signed CA certificate, 10 years (clients trust this one)
//   server.key  the server's EC P-256 private key (mode 0600)
//   server.crt  the server certificate, 2 years, followed by ca.crt (a chain)
// The server certificate's subjectAltName holds DNS:<fqdn>, DNS:<each extra name>
// (the served domains), DNS:localhost, IP:127.0.0.1 and IP:::1; extra names that
// are numeric addresses become IP entries.
//
// Later calls keep existing files. The server certificate (and its key) is issued
// again only when a file is missing or unreadable, the key does not match, it was
// not signed by the CA in ca.crt, it expires within `renew_before`, or it lacks a
// name now required (e.g. a domain was added to the configuration). The CA is never
// replaced: if only one of ca.crt/ca.key exists, or they do not match, or the CA
// has expired, ensure_pki throws PkiError and leaves the files alone.
//
// Not thread-safe against another process doing the same at the same moment; it
// runs once at startup and from `parley cert init`.
#pragma once

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace parley::pki {

struct PkiError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct PkiOptions {
  std::chrono::days ca_validity{3650};
  std::chrono::days server_validity{730};
  std::chrono::days renew_before{30};  // reissue a server certificate this close to expiry
};

struct PkiPaths {
  std::filesystem::path ca_cert;      // <dir>/ca.crt
  std::filesystem::path ca_key;       // <dir>/ca.key
  std::filesystem::path server_cert;  // <dir>/server.crt (server, then CA)
  std::filesystem::path server_key;   // <dir>/server.key
  bool created_ca = false;            // this call generated the CA
  bool issued_server = false;         // this call (re)issued the server certificate
  std::string issue_reason;           // why, e.g. "no server certificate" (for the log)
};

// The names the server certificate must carry, in order, without duplicates:
// fqdn, extra names, "localhost", "127.0.0.1", "::1" (compared case-insensitively).
std::vector<std::string> server_names(std::string_view fqdn,
                                      const std::vector<std::string>& extra_names);

// See the top of this file. Creates `dir` (mode 0700) if needed.
PkiPaths ensure_pki(const std::filesystem::path& dir, std::string_view fqdn,
                    const std::vector<std::string>& extra_names, const PkiOptions& options = {});

}  // namespace parley::pki
