// TLS contexts for SIP over TLS (RFC 3261 26.2.1, RFC 5630) on OpenSSL.
//
// Both contexts accept TLS 1.2 and 1.3 only, with forward-secret AEAD cipher
// suites for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults).
//
// Server context: presents the certificate chain and key of config::Tls. With
// verify_client set (server-to-server MTLS, as the Front End's 5061 does) it
// requires a client certificate signed by the `ca` file; otherwise it asks for
// none.
//
// Client context (outbound connections): if the `ca` file exists the server's
// chain must verify against it; otherwise the peer is not verified at all
// (only encryption, like an opportunistic TLS hop). The peer is known by IP
// address only, so no host name check is made either way. If the certificate
// and key files exist they are offered as the client certificate, so a peer
// that demands MTLS accepts us.
//
// Errors: these run at startup, not on the message path, and throw TlsError
// naming the file and OpenSSL's reason.
#pragma once

#include <memory>
#include <stdexcept>

#include <boost/asio/ssl/context.hpp>

#include "config/config.hpp"

namespace parley::net {

struct TlsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(const config::Tls& tls);
std::shared_ptr<boost::asio::ssl::context> make_client_tls_context(const config::Tls& tls);

}  // namespace parley::net
