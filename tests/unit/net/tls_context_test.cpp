#include "net/tls_context.hpp"

#include <gtest/gtest.h>

#include <openssl/ssl.h>

#include "net/address.hpp"
#include "test_support.hpp"
#include "transport_fixture.hpp"

namespace parley::net {
namespace {

using test::Certificates;

TEST(TlsContext, ServerContextLoadsCertificateAndKey) {
  auto ctx = make_server_tls_context(Certificates::get().tls());
  ASSERT_TRUE(ctx);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx->native_handle()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx->native_handle()), SSL_VERIFY_NONE);
}

TEST(TlsContext, VerifyClientRequiresAPeerCertificate) {
  auto ctx = make_server_tls_context(Certificates::get().tls(true));
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx->native_handle()),
            SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT);
}

TEST(TlsContext, MissingOrMismatchedFilesThrow) {
  const auto& c = Certificates::get();
  EXPECT_THROW(make_server_tls_context(config::Tls{"/nonexistent/cert.pem", c.key, c.cert, false}),
               TlsError);
  EXPECT_THROW(make_server_tls_context(config::Tls{c.cert, "/nonexistent/key.pem", c.cert, false}),
               TlsError);
  EXPECT_THROW(make_server_tls_context(config::Tls{c.cert, c.other_key, c.cert, false}), TlsError);
  EXPECT_THROW(make_server_tls_context(config::Tls{c.cert, c.key, "/nonexistent/ca.pem", true}),
               TlsError);
}

TEST(TlsContext, ClientContextVerifiesOnlyWithACa) {
  const auto& c = Certificates::get();
  auto with_ca = make_client_tls_context(c.tls());
  EXPECT_EQ(SSL_CTX_get_verify_mode(with_ca->native_handle()), SSL_VERIFY_PEER);
  auto without = make_client_tls_context(config::Tls{"", "", "", false});
  EXPECT_EQ(SSL_CTX_get_verify_mode(without->native_handle()), SSL_VERIFY_NONE);
}

TEST(Address, ParsesAndNormalises) {
  EXPECT_EQ(ip_text(*parse_ip("192.0.2.1")), "192.0.2.1");
  EXPECT_EQ(ip_text(*parse_ip("[2001:db8::1]")), "2001:db8::1");
  EXPECT_EQ(ip_text(*parse_ip("::ffff:192.0.2.7")), "192.0.2.7");
  EXPECT_TRUE(parse_ip("::ffff:192.0.2.7")->is_v4());
  EXPECT_FALSE(parse_ip("example.com"));
  EXPECT_FALSE(parse_ip(""));
  EXPECT_EQ(flow_key(sip::Transport::Tls, *parse_ip("::1"), 5061), "tls|::1|5061");
}

}  // namespace
}  // namespace parley::net
