// What the server certificate says (RFC 5280), whether it verifies, and whether
// it names the server (RFC 6125).
#include <arpa/inet.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string>

#include "pki/openssl_ptr.hpp"
#include "topology/check/detail.hpp"

namespace parley::check::detail {
namespace {

using Clock = std::chrono::system_clock;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, pki::OpenSslDeleter<X509_STORE_CTX_free>>;

// RFC 2253 one-line form; UTF-8 is kept as is (no \XX for non-ASCII), control
// characters and the RFC 2253 specials are escaped.
std::string one_line(const X509_NAME* name) {
  pki::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) return {};
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string asn1_text(const ASN1_STRING* s) {
  if (s == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string ip_text(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);
  if (len == 4 && inet_ntop(AF_INET, p, buf, sizeof buf)) return buf;
  if (len == 16 && inet_ntop(AF_INET6, p, buf, sizeof buf)) return buf;
  return "(" + std::to_string(len) + "-byte address)";
}

// RFC 5280 4.2.1.6.
std::vector<std::string> alt_names(X509* cert) {
  std::vector<std::string> out;
  pki::GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names.get(), i);
    switch (g->type) {
      case GEN_DNS:
        out.push_back("DNS:" + asn1_text(g->d.dNSName));
        break;
      case GEN_IPADD:
        out.push_back("IP:" + ip_text(g->d.iPAddress));
        break;
      case GEN_URI:
        out.push_back("URI:" + asn1_text(g->d.uniformResourceIdentifier));
        break;
      case GEN_EMAIL:
        out.push_back("email:" + asn1_text(g->d.rfc822Name));
        break;
      case GEN_DIRNAME:
        out.push_back("DirName:" + one_line(g->d.directoryName));
        break;
      default:
        out.push_back("othername");
        break;
    }
  }
  return out;
}

Clock::time_point to_time_point(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return Clock::time_point{};
  return Clock::from_time_t(timegm(&tm));
}

// RFC 5280 6.1 path validation against the anchors in `trust`, as OpenSSL does
// it for a TLS server (the "ssl_server" purpose and parameters).
bool verify(X509* leaf, STACK_OF(X509) * chain, X509_STORE* trust, std::string& error) {
  StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), trust, leaf, chain) != 1) {
    error = "cannot set up verification";
    return false;
  }
  X509_STORE_CTX_set_default(ctx.get(), "ssl_server");
  if (X509_verify_cert(ctx.get()) == 1) return true;
  int code = X509_STORE_CTX_get_error(ctx.get());
  error = X509_verify_cert_error_string(code);
  int depth = X509_STORE_CTX_get_error_depth(ctx.get());
  if (depth > 0) error += " (certificate " + std::to_string(depth) + " of the chain)";
  return false;
}

// RFC 6125 6.4: DNS-ID against dNSName (CN-ID only without any dNSName, which
// is OpenSSL's default), no partial-label wildcards (6.4.3); an IP address
// against iPAddress entries.
bool names(X509* cert, const std::string& name) {
  if (name.empty()) return false;
  if (is_numeric_address(name)) {
    std::string ip = name;
    auto percent = ip.find('%');
    if (percent != std::string::npos) ip.resize(percent);
    return X509_check_ip_asc(cert, ip.c_str(), 0) == 1;
  }
  return X509_check_host(cert, name.data(), name.size(), X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS,
                         nullptr) == 1;
}

}  // namespace

CertificateInfo inspect_certificate(X509* leaf, STACK_OF(X509) * chain, X509_STORE* trust,
                                    std::string_view name, Clock::time_point now) {
  CertificateInfo info;
  info.subject = one_line(X509_get_subject_name(leaf));
  info.issuer = one_line(X509_get_issuer_name(leaf));
  info.subject_alt_names = alt_names(leaf);
  info.not_before = to_time_point(X509_get0_notBefore(leaf));
  info.not_after = to_time_point(X509_get0_notAfter(leaf));
  info.days_left =
      static_cast<long>(std::chrono::floor<std::chrono::days>(info.not_after - now).count());
  if (trust != nullptr) info.verified = verify(leaf, chain, trust, info.verify_error);
  info.checked_name = std::string(name);
  info.name_matches = names(leaf, info.checked_name);
  return info;
}

std::string format_date(Clock::time_point t) {
  std::time_t tt = Clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace parley::check::detail
