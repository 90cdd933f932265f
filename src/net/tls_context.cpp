#include "net/tls_context.hpp"

#include <filesystem>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace parley::net {

namespace ssl = boost::asio::ssl;

namespace {

// ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 for TLS 1.2.
constexpr const char* kCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Session id context for server-side session resumption with client
// certificates (OpenSSL refuses to resume without one).
constexpr unsigned char kSessionContext[] = "parley-sip";

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& file,
                       const boost::system::error_code& ec) {
  std::string msg = what;
  if (!file.empty()) msg += " " + file.string();
  msg += ": " + ec.message();
  throw TlsError(msg);
}

std::shared_ptr<ssl::context> base_context(ssl::context::method method) {
  auto ctx = std::make_shared<ssl::context>(method);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                   ssl::context::single_dh_use | SSL_OP_NO_COMPRESSION |
                   SSL_OP_NO_RENEGOTIATION);
  SSL_CTX* native = ctx->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kCiphers) != 1) {
    ERR_clear_error();
    throw TlsError("cannot set TLS protocol version or cipher list");
  }
  return ctx;
}

void load_identity(ssl::context& ctx, const config::Tls& tls) {
  boost::system::error_code ec;
  ctx.use_certificate_chain_file(tls.cert.string(), ec);
  if (ec) fail("cannot load certificate chain", tls.cert, ec);
  ctx.use_private_key_file(tls.key.string(), ssl::context::pem, ec);
  if (ec) fail("cannot load private key", tls.key, ec);
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1) {
    ERR_clear_error();
    throw TlsError("private key " + tls.key.string() + " does not match certificate " +
                   tls.cert.string());
  }
}

bool file_exists(const std::filesystem::path& p) {
  std::error_code ec;
  return !p.empty() && std::filesystem::exists(p, ec);
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(const config::Tls& tls) {
  auto ctx = base_context(ssl::context::tls_server);
  load_identity(*ctx, tls);
  SSL_CTX_set_session_id_context(ctx->native_handle(), kSessionContext,
                                 sizeof kSessionContext - 1);
  if (tls.verify_client) {
    boost::system::error_code ec;
    ctx->load_verify_file(tls.ca.string(), ec);
    if (ec) fail("cannot load CA file", tls.ca, ec);
    // Tell clients which CA we accept (CertificateRequest certificate_authorities).
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.ca.string().c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    ERR_clear_error();
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

std::shared_ptr<ssl::context> make_client_tls_context(const config::Tls& tls) {
  auto ctx = base_context(ssl::context::tls_client);
  if (file_exists(tls.cert) && file_exists(tls.key)) load_identity(*ctx, tls);
  if (file_exists(tls.ca)) {
    boost::system::error_code ec;
    ctx->load_verify_file(tls.ca.string(), ec);
    if (ec) fail("cannot load CA file", tls.ca, ec);
    ctx->set_verify_mode(ssl::verify_peer);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

}  // namespace parley::net
