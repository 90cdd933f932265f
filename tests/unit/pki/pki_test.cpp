#include "pki/pki.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "pki/certificate.hpp"

namespace parley::pki {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class PkiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "parley-pki-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    root_ = tmpl;
    dir_ = root_ / "pki";
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 0777;
  }

  // Verifies `cert` up to the CA in ca.crt with OpenSSL's chain verification.
  static int verify(X509* cert, X509* ca, int purpose) {
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca);
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, cert, nullptr);
    X509_STORE_CTX_set_purpose(ctx, purpose);
    int ok = X509_verify_cert(ctx);
    int err = X509_STORE_CTX_get_error(ctx);
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ok == 1 ? X509_V_OK : (err == X509_V_OK ? -1 : err);
  }

  fs::path root_;
  fs::path dir_;
  const std::vector<std::string> domains_{"parley.test", "Example.ORG"};
};

TEST_F(PkiTest, FirstCallCreatesCaAndServerCertificate) {
  PkiPaths p = ensure_pki(dir_, "sip.parley.test", domains_);
  EXPECT_TRUE(p.created_ca);
  EXPECT_TRUE(p.issued_server);
  EXPECT_EQ(p.ca_cert, dir_ / "ca.crt");
  EXPECT_EQ(p.ca_key, dir_ / "ca.key");
  EXPECT_EQ(p.server_cert, dir_ / "server.crt");
  EXPECT_EQ(p.server_key, dir_ / "server.key");
  EXPECT_EQ(mode_of(p.ca_key), 0600u);
  EXPECT_EQ(mode_of(p.server_key), 0600u);
  EXPECT_EQ(mode_of(dir_), 0700u);
  EXPECT_FALSE(fs::exists(dir_ / "server.crt.tmp"));

  X509Ptr ca = read_certificate(p.ca_cert);
  X509Ptr cert = read_certificate(p.server_cert);
  PKeyPtr key = read_private_key(p.server_key);
  PKeyPtr ca_key = read_private_key(p.ca_key);
  ASSERT_TRUE(ca && cert && key && ca_key);

  // The CA: self-signed, CA:TRUE, EC P-256.
  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  EXPECT_EQ(X509_check_issued(ca.get(), ca.get()), X509_V_OK);
  EXPECT_EQ(EVP_PKEY_get_base_id(ca_key.get()), EVP_PKEY_EC);
  char group[64] = {};
  size_t glen = 0;
  EXPECT_EQ(EVP_PKEY_get_group_name(ca_key.get(), group, sizeof group, &glen), 1);
  EXPECT_STREQ(group, "prime256v1");
  EXPECT_TRUE(valid_for_at_least(ca.get(), std::chrono::days(3649)));
  EXPECT_FALSE(valid_for_at_least(ca.get(), std::chrono::days(3651)));

  // The server certificate: chains to the CA for both TLS purposes, not a CA.
  EXPECT_EQ(verify(cert.get(), ca.get(), X509_PURPOSE_SSL_SERVER), X509_V_OK);
  EXPECT_EQ(verify(cert.get(), ca.get(), X509_PURPOSE_SSL_CLIENT), X509_V_OK);
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_check_private_key(cert.get(), key.get()), 1);
  EXPECT_TRUE(valid_for_at_least(cert.get(), std::chrono::days(729)));
  EXPECT_FALSE(valid_for_at_least(cert.get(), std::chrono::days(731)));

  // Its names.
  for (const char* n :
       {"sip.parley.test", "parley.test", "example.org", "localhost", "127.0.0.1", "::1"}) {
    EXPECT_TRUE(certificate_names(cert.get(), n)) << n;
  }
  EXPECT_FALSE(certificate_names(cert.get(), "other.test"));
  EXPECT_FALSE(certificate_names(cert.get(), "x.parley.test"));
  EXPECT_FALSE(certificate_names(cert.get(), "10.0.0.1"));
}

TEST_F(PkiTest, ServerCertFileIsAChainEndingWithTheCa) {
  PkiPaths p = ensure_pki(dir_, "localhost", {});
  std::string chain = slurp(p.server_cert);
  std::string ca = slurp(p.ca_cert);
  ASSERT_GT(chain.size(), ca.size());
  EXPECT_EQ(chain.substr(chain.size() - ca.size()), ca);
  std::string begin = "-----BEGIN CERTIFICATE-----";
  EXPECT_EQ(chain.find(begin), 0u);
  EXPECT_NE(chain.find(begin, 1), std::string::npos);
}

TEST_F(PkiTest, SecondCallKeepsEverything) {
  PkiPaths first = ensure_pki(dir_, "sip.parley.test", domains_);
  std::string ca = slurp(first.ca_cert);
  std::string cert = slurp(first.server_cert);
  std::string key = slurp(first.server_key);

  PkiPaths second = ensure_pki(dir_, "SIP.parley.test", {"example.org", "parley.test"});
  EXPECT_FALSE(second.created_ca);
  EXPECT_FALSE(second.issued_server);
  EXPECT_EQ(second.issue_reason, "");
  EXPECT_EQ(slurp(second.ca_cert), ca);
  EXPECT_EQ(slurp(second.server_cert), cert);
  EXPECT_EQ(slurp(second.server_key), key);
}

TEST_F(PkiTest, ReissuesAServerCertificateThatExpiresSoon) {
  PkiOptions short_lived;
  short_lived.server_validity = std::chrono::days(10);
  PkiPaths first = ensure_pki(dir_, "localhost", {}, short_lived);
  std::string ca = slurp(first.ca_cert);
  std::string cert = slurp(first.server_cert);

  PkiPaths second = ensure_pki(dir_, "localhost", {});
  EXPECT_FALSE(second.created_ca);
  EXPECT_TRUE(second.issued_server);
  EXPECT_EQ(second.issue_reason, "the server certificate expires soon");
  EXPECT_EQ(slurp(second.ca_cert), ca);
  EXPECT_NE(slurp(second.server_cert), cert);
  X509Ptr renewed = read_certificate(second.server_cert);
  EXPECT_TRUE(valid_for_at_least(renewed.get(), std::chrono::days(700)));
}

TEST_F(PkiTest, ReissuesWhenANameIsAdded) {
  ensure_pki(dir_, "localhost", {"parley.test"});
  PkiPaths p = ensure_pki(dir_, "localhost", {"parley.test", "new.example"});
  EXPECT_TRUE(p.issued_server);
  EXPECT_EQ(p.issue_reason, "the server certificate does not name new.example");
  X509Ptr cert = read_certificate(p.server_cert);
  EXPECT_TRUE(certificate_names(cert.get(), "new.example"));
}

TEST_F(PkiTest, ReissuesWhenServerKeyIsMissingOrGarbage) {
  PkiPaths p = ensure_pki(dir_, "localhost", {});
  fs::remove(p.server_key);
  PkiPaths again = ensure_pki(dir_, "localhost", {});
  EXPECT_TRUE(again.issued_server);
  EXPECT_FALSE(again.created_ca);

  std::ofstream(p.server_cert) << "not a certificate\n";
  PkiPaths third = ensure_pki(dir_, "localhost", {});
  EXPECT_TRUE(third.issued_server);
  X509Ptr cert = read_certificate(third.server_cert);
  ASSERT_TRUE(cert);
}

TEST_F(PkiTest, ReissuesACertificateFromAnotherCa) {
  fs::path other = root_ / "other";
  PkiPaths foreign = ensure_pki(other, "localhost", {});
  PkiPaths p = ensure_pki(dir_, "localhost", {});
  fs::copy_file(foreign.server_cert, p.server_cert, fs::copy_options::overwrite_existing);
  fs::copy_file(foreign.server_key, p.server_key, fs::copy_options::overwrite_existing);
  PkiPaths again = ensure_pki(dir_, "localhost", {});
  EXPECT_TRUE(again.issued_server);
  EXPECT_EQ(again.issue_reason, "the server certificate was not issued by this CA");
}

TEST_F(PkiTest, RefusesAHalfCa) {
  PkiPaths p = ensure_pki(dir_, "localhost", {});
  std::string cert = slurp(p.server_cert);
  fs::remove(p.ca_key);
  try {
    ensure_pki(dir_, "localhost", {});
    FAIL() << "expected PkiError";
  } catch (const PkiError& e) {
    EXPECT_THAT(e.what(), HasSubstr("ca.key is missing"));
  }
  EXPECT_FALSE(fs::exists(p.ca_key));
  EXPECT_EQ(slurp(p.server_cert), cert);
}

TEST_F(PkiTest, RefusesAMismatchedCaKey) {
  PkiPaths p = ensure_pki(dir_, "localhost", {});
  PkiPaths other = ensure_pki(root_ / "other", "localhost", {});
  fs::copy_file(other.ca_key, p.ca_key, fs::copy_options::overwrite_existing);
  EXPECT_THROW(ensure_pki(dir_, "localhost", {}), PkiError);
}

TEST(ServerNames, OrderAndDeduplication) {
  EXPECT_EQ(
      server_names("Sip.Parley.Test", {"parley.test", "PARLEY.test", "localhost", "192.0.2.7"}),
      (std::vector<std::string>{"sip.parley.test", "parley.test", "localhost", "192.0.2.7",
                                "127.0.0.1", "::1"}));
}

TEST(Certificate, NumericExtraNamesBecomeIpEntries) {
  PKeyPtr ca_key = generate_ec_key();
  X509Ptr ca = issue_ca_certificate(ca_key.get(), "Test CA", std::chrono::days(1));
  PKeyPtr key = generate_ec_key();
  X509Ptr cert =
      issue_server_certificate(key.get(), ca.get(), ca_key.get(),
                               {"host.test", "192.0.2.7", "2001:db8::5"}, std::chrono::days(1));
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  ASSERT_EQ(sk_GENERAL_NAME_num(names), 3);
  EXPECT_EQ(sk_GENERAL_NAME_value(names, 0)->type, GEN_DNS);
  EXPECT_EQ(sk_GENERAL_NAME_value(names, 1)->type, GEN_IPADD);
  EXPECT_EQ(sk_GENERAL_NAME_value(names, 2)->type, GEN_IPADD);
  GENERAL_NAMES_free(names);
  EXPECT_TRUE(certificate_names(cert.get(), "2001:db8::5"));
  EXPECT_FALSE(certificate_names(cert.get(), "192.0.2.8"));
}

}  // namespace
}  // namespace parley::pki
