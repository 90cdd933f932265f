#include "pki/pki.hpp"

#include <openssl/err.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "pki/certificate.hpp"

namespace parley::pki {
namespace {

constexpr unsigned kKeyMode = 0600;
constexpr unsigned kCertMode = 0644;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

void ensure_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw PkiError("cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
}

// Why the server certificate must be issued again, or "" if it can stay.
std::string reissue_reason(X509* ca_cert, X509* cert, EVP_PKEY* key,
                           const std::vector<std::string>& names, const PkiOptions& options) {
  if (cert == nullptr) return "no server certificate";
  if (key == nullptr) return "no server key";
  if (X509_check_private_key(cert, key) != 1) {
    ERR_clear_error();
    return "the server key does not match the certificate";
  }
  EVP_PKEY* ca_pub = X509_get0_pubkey(ca_cert);
  if (ca_pub == nullptr || X509_verify(cert, ca_pub) != 1 ||
      X509_check_issued(ca_cert, cert) != X509_V_OK) {
    ERR_clear_error();
    return "the server certificate was not issued by this CA";
  }
  if (!valid_for_at_least(cert, options.renew_before)) return "the server certificate expires soon";
  for (const auto& n : names) {
    if (!certificate_names(cert, n)) return "the server certificate does not name " + n;
  }
  return "";
}

}  // namespace

std::vector<std::string> server_names(std::string_view fqdn,
                                      const std::vector<std::string>& extra_names) {
  std::vector<std::string> names;
  auto add = [&](std::string_view n) {
    std::string l = lower(n);
    if (l.empty()) return;
    if (std::find(names.begin(), names.end(), l) == names.end()) names.push_back(std::move(l));
  };
  add(fqdn);
  for (const auto& n : extra_names) add(n);
  add("localhost");
  add("127.0.0.1");
  add("::1");
  return names;
}

PkiPaths ensure_pki(const std::filesystem::path& dir, std::string_view fqdn,
                    const std::vector<std::string>& extra_names, const PkiOptions& options) {
  ensure_dir(dir);
  PkiPaths paths;
  paths.ca_cert = dir / "ca.crt";
  paths.ca_key = dir / "ca.key";
  paths.server_cert = dir / "server.crt";
  paths.server_key = dir / "server.key";

  // The CA: create both files or use both; never overwrite half of a CA.
  X509Ptr ca_cert = read_certificate(paths.ca_cert);
  PKeyPtr ca_key = read_private_key(paths.ca_key);
  if (!ca_cert && !ca_key) {
    ca_key = generate_ec_key();
    std::string cn = "Parley CA " + (fqdn.empty() ? std::string("localhost") : lower(fqdn));
    ca_cert = issue_ca_certificate(ca_key.get(), cn, options.ca_validity);
    write_pem_file(paths.ca_key, private_key_pem(ca_key.get()), kKeyMode);
    write_pem_file(paths.ca_cert, certificate_pem(ca_cert.get()), kCertMode);
    paths.created_ca = true;
  } else if (!ca_cert || !ca_key) {
    throw PkiError("incomplete CA in " + dir.string() + ": " + (ca_cert ? "ca.key" : "ca.crt") +
                   " is missing (restore it, or move ca.crt and ca.key away to create a new CA)");
  } else if (X509_check_private_key(ca_cert.get(), ca_key.get()) != 1) {
    ERR_clear_error();
    throw PkiError("ca.key does not match ca.crt in " + dir.string());
  } else if (!valid_for_at_least(ca_cert.get(), std::chrono::seconds(0))) {
    throw PkiError("the CA certificate " + paths.ca_cert.string() +
                   " has expired (move ca.crt and ca.key away to create a new CA)");
  }

  const std::vector<std::string> names = server_names(fqdn, extra_names);
  X509Ptr cert;
  PKeyPtr key;
  try {
    cert = read_certificate(paths.server_cert);
    key = read_private_key(paths.server_key);
  } catch (const PkiError&) {
    cert.reset();  // unreadable: issue a new one below
    key.reset();
  }
  std::string reason = paths.created_ca
                           ? std::string("a new CA was created")
                           : reissue_reason(ca_cert.get(), cert.get(), key.get(), names, options);
  if (!reason.empty()) {
    key = generate_ec_key();
    cert = issue_server_certificate(key.get(), ca_cert.get(), ca_key.get(), names,
                                    options.server_validity);
    write_pem_file(paths.server_key, private_key_pem(key.get()), kKeyMode);
    write_pem_file(paths.server_cert, certificate_pem(cert.get()) + certificate_pem(ca_cert.get()),
                   kCertMode);
    paths.issued_server = true;
    paths.issue_reason = std::move(reason);
  }
  return paths;
}

}  // namespace parley::pki
