// inspect_certificate on certificates from pki/certificate.hpp, no network.
#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include "pki/certificate.hpp"
#include "topology/check/detail.hpp"

namespace parley::check::detail {
namespace {

using std::chrono::days;
using Clock = std::chrono::system_clock;
using StorePtr = std::unique_ptr<X509_STORE, pki::OpenSslDeleter<X509_STORE_free>>;

struct Issued {
  pki::PKeyPtr ca_key = pki::generate_ec_key();
  pki::X509Ptr ca = pki::issue_ca_certificate(ca_key.get(), "Unit CA", days(3650));
  pki::PKeyPtr key = pki::generate_ec_key();
  pki::X509Ptr leaf;
  StorePtr trust{X509_STORE_new()};

  explicit Issued(const std::vector<std::string>& names, days validity = days(365)) {
    leaf = pki::issue_server_certificate(key.get(), ca.get(), ca_key.get(), names, validity);
    X509_STORE_add_cert(trust.get(), ca.get());
  }
};

TEST(InspectCertificate, FieldsOfAServerCertificate) {
  Issued c({"sip.example.com", "192.0.2.1", "2001:db8::5"});
  const auto now = Clock::now();
  CertificateInfo info =
      inspect_certificate(c.leaf.get(), nullptr, c.trust.get(), "sip.example.com", now);
  EXPECT_EQ(info.subject, "CN=sip.example.com");
  EXPECT_NE(info.issuer.find("CN=Unit CA"), std::string::npos) << info.issuer;
  EXPECT_NE(info.issuer.find("O=Parley"), std::string::npos) << info.issuer;
  EXPECT_EQ(info.subject_alt_names,
            (std::vector<std::string>{"DNS:sip.example.com", "IP:192.0.2.1", "IP:2001:db8::5"}));
  EXPECT_LT(info.not_before, now);
  EXPECT_GT(info.not_after, now + days(364));
  EXPECT_EQ(info.days_left, 364);
  EXPECT_TRUE(info.verified) << info.verify_error;
  EXPECT_TRUE(info.verify_error.empty());
  EXPECT_TRUE(info.name_matches);
  EXPECT_EQ(format_date(info.not_after), format_date(now + days(365)));
}

TEST(InspectCertificate, NameChecksFollowRfc6125) {
  Issued c({"sip.example.com", "192.0.2.1"});
  auto check = [&](std::string_view name) {
    return inspect_certificate(c.leaf.get(), nullptr, nullptr, name, Clock::now()).name_matches;
  };
  EXPECT_TRUE(check("SIP.Example.COM"));  // DNS names compare case-insensitively
  EXPECT_TRUE(check("192.0.2.1"));
  EXPECT_FALSE(check("192.0.2.2"));
  EXPECT_FALSE(check("other.example.com"));
  EXPECT_FALSE(check("example.com"));
  EXPECT_FALSE(check(""));
}

TEST(InspectCertificate, WithoutTrustNotVerified) {
  Issued c({"localhost"});
  CertificateInfo info =
      inspect_certificate(c.leaf.get(), nullptr, nullptr, "localhost", Clock::now());
  EXPECT_FALSE(info.verified);
  EXPECT_TRUE(info.verify_error.empty());
}

TEST(InspectCertificate, WrongAnchorGivesOpenSslsReason) {
  Issued c({"localhost"});
  Issued other({"localhost"});
  CertificateInfo info =
      inspect_certificate(c.leaf.get(), nullptr, other.trust.get(), "localhost", Clock::now());
  EXPECT_FALSE(info.verified);
  EXPECT_EQ(info.verify_error, "unable to get local issuer certificate");
}

TEST(InspectCertificate, ExpiredHasNegativeDaysLeft) {
  Issued c({"localhost"}, days(-3));
  CertificateInfo info =
      inspect_certificate(c.leaf.get(), nullptr, c.trust.get(), "localhost", Clock::now());
  EXPECT_LT(info.days_left, 0);
  EXPECT_FALSE(info.verified);
  EXPECT_EQ(info.verify_error, "certificate has expired");
}

}  // namespace
}  // namespace parley::check::detail
