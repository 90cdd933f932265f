#include "pki/certificate.hpp"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

namespace parley::pki {
namespace {

[[noreturn]] void fail(std::string_view what) {
  std::string msg(what);
  unsigned long e = ERR_get_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    msg += ": ";
    msg += buf;
  }
  ERR_clear_error();
  throw PkiError(msg);
}

void check(int ok, std::string_view what) {
  if (ok != 1) fail(what);
}

bool is_ip_address(std::string_view s) {
  ASN1_OCTET_STRING* ip = a2i_IPADDRESS(std::string(s).c_str());
  if (ip == nullptr) {
    ERR_clear_error();
    return false;
  }
  ASN1_OCTET_STRING_free(ip);
  return true;
}

// 127 random bits: positive, unique enough (RFC 5280 4.1.2.2 allows 20 octets).
void set_random_serial(X509* cert) {
  BigNumPtr bn(BN_new());
  if (!bn) fail("BN_new");
  check(BN_rand(bn.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY), "BN_rand");
  if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    fail("BN_to_ASN1_INTEGER");
  }
}

void set_validity(X509* cert, std::chrono::days validity) {
  if (X509_gmtime_adj(X509_getm_notBefore(cert), -3600) == nullptr) fail("notBefore");
  if (X509_time_adj_ex(X509_getm_notAfter(cert), static_cast<int>(validity.count()), 0, nullptr) ==
      nullptr) {
    fail("notAfter");
  }
}

void add_name_entry(X509_NAME* name, const char* field, std::string_view value) {
  check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value.data()),
                                   static_cast<int>(value.size()), -1, 0),
        "X509_NAME_add_entry");
}

// Adds an extension given in OpenSSL's configuration syntax; `ctx` names issuer
// and subject (needed for the key identifiers).
void add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
  if (!ext) fail(std::string("extension ") + OBJ_nid2sn(nid));
  check(X509_add_ext(cert, ext.get(), -1), "X509_add_ext");
}

GeneralNamesPtr make_alt_names(const std::vector<std::string>& names) {
  GeneralNamesPtr gens(sk_GENERAL_NAME_new_null());
  if (!gens) fail("GENERAL_NAMES");
  for (const auto& n : names) {
    GENERAL_NAME* gen = nullptr;
    if (ASN1_OCTET_STRING* ip = a2i_IPADDRESS(n.c_str())) {
      gen = GENERAL_NAME_new();
      if (gen == nullptr) fail("GENERAL_NAME_new");
      GENERAL_NAME_set0_value(gen, GEN_IPADD, ip);
    } else {
      ERR_clear_error();
      ASN1_IA5STRING* dns = ASN1_IA5STRING_new();
      if (dns == nullptr || ASN1_STRING_set(dns, n.data(), static_cast<int>(n.size())) != 1) {
        ASN1_IA5STRING_free(dns);
        fail("dNSName");
      }
      gen = GENERAL_NAME_new();
      if (gen == nullptr) fail("GENERAL_NAME_new");
      GENERAL_NAME_set0_value(gen, GEN_DNS, dns);
    }
    if (sk_GENERAL_NAME_push(gens.get(), gen) == 0) {
      GENERAL_NAME_free(gen);
      fail("sk_GENERAL_NAME_push");
    }
  }
  return gens;
}

BioPtr open_read_bio(const std::filesystem::path& file) {
  BioPtr bio(BIO_new_file(file.c_str(), "r"));
  if (!bio) fail("cannot read " + file.string());
  return bio;
}

std::string bio_to_string(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

}  // namespace

PKeyPtr generate_ec_key() {
  PKeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) fail("EC P-256 key generation");
  return key;
}

X509Ptr issue_ca_certificate(EVP_PKEY* ca_key, std::string_view common_name,
                             std::chrono::days validity) {
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  set_random_serial(cert.get());
  set_validity(cert.get(), validity);
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name_entry(name, "CN", common_name);
  add_name_entry(name, "O", "Parley");
  check(X509_set_issuer_name(cert.get(), name), "X509_set_issuer_name");
  check(X509_set_pubkey(cert.get(), ca_key), "X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:TRUE");
  add_ext(cert.get(), &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert.get(), ca_key, EVP_sha256()) <= 0) fail("signing the CA certificate");
  return cert;
}

X509Ptr issue_server_certificate(EVP_PKEY* key, X509* ca_cert, EVP_PKEY* ca_key,
                                 const std::vector<std::string>& names,
                                 std::chrono::days validity) {
  if (names.empty()) throw PkiError("a server certificate needs at least one name");
  X509Ptr cert(X509_new());
  if (!cert) fail("X509_new");
  check(X509_set_version(cert.get(), X509_VERSION_3), "X509_set_version");
  set_random_serial(cert.get());
  set_validity(cert.get(), validity);
  add_name_entry(X509_get_subject_name(cert.get()), "CN", names.front());
  check(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert)), "X509_set_issuer_name");
  check(X509_set_pubkey(cert.get(), key), "X509_set_pubkey");

  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca_cert, cert.get(), nullptr, nullptr, 0);
  add_ext(cert.get(), &ctx, NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), &ctx, NID_key_usage, "critical,digitalSignature");
  add_ext(cert.get(), &ctx, NID_ext_key_usage, "serverAuth,clientAuth");
  add_ext(cert.get(), &ctx, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  GeneralNamesPtr alt = make_alt_names(names);
  check(X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, alt.get(), 0, X509V3_ADD_DEFAULT),
        "subjectAltName");
  if (X509_sign(cert.get(), ca_key, EVP_sha256()) <= 0) fail("signing the server certificate");
  return cert;
}

bool certificate_names(X509* cert, std::string_view name) {
  std::string n(name);
  int rc;
  if (is_ip_address(n)) {
    rc = X509_check_ip_asc(cert, n.c_str(), 0);
  } else {
    rc = X509_check_host(cert, n.data(), n.size(),
                         X509_CHECK_FLAG_NO_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                         nullptr);
  }
  ERR_clear_error();
  return rc == 1;
}

bool valid_for_at_least(X509* cert, std::chrono::seconds margin) {
  std::time_t when = std::time(nullptr) + static_cast<std::time_t>(margin.count());
  // X509_cmp_time: -1 if the time is before `when`, 1 if after, 0 on error.
  return X509_cmp_time(X509_get0_notAfter(cert), &when) > 0;
}

X509Ptr read_certificate(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return nullptr;
  BioPtr bio = open_read_bio(file);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) fail("no PEM certificate in " + file.string());
  return cert;
}

PKeyPtr read_private_key(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return nullptr;
  BioPtr bio = open_read_bio(file);
  PKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) fail("no PEM private key in " + file.string());
  return key;
}

std::string certificate_pem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("BIO_new");
  check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
  return bio_to_string(bio.get());
}

std::string private_key_pem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio) fail("BIO_new");
  check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
        "PEM_write_bio_PrivateKey");
  return bio_to_string(bio.get());
}

void write_pem_file(const std::filesystem::path& file, std::string_view pem, unsigned mode) {
  std::filesystem::path tmp = file;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw PkiError("cannot write " + tmp.string() + ": " + std::strerror(errno));
  // O_CREAT's mode only applies to a new file; make sure of it either way.
  ::fchmod(fd, mode);
  std::size_t done = 0;
  while (done < pem.size()) {
    ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw PkiError("cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  int synced = ::fsync(fd);
  int sync_err = errno;
  int closed = ::close(fd);
  if (synced != 0 || closed != 0) {
    int err = synced != 0 ? sync_err : errno;
    ::unlink(tmp.c_str());
    throw PkiError("cannot write " + tmp.string() + ": " + std::strerror(err));
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw PkiError("cannot rename " + tmp.string() + ": " + std::strerror(err));
  }
}

}  // namespace parley::pki
