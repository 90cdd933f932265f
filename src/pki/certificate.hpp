// Keys and X.509 certificates for the server's private CA (RFC 5280 profile).
//
// Building blocks of ensure_pki (pki.hpp); exposed for tests and for tools that
// inspect the files. All functions throw PkiError with OpenSSL's reason on failure.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pki/openssl_ptr.hpp"
#include "pki/pki.hpp"

namespace parley::pki {

// A new EC key on curve P-256 (prime256v1).
PKeyPtr generate_ec_key();

// A self-signed CA certificate: subject "CN=<common_name>, O=Parley", RFC 5280
// 4.2.1.9 basicConstraints critical CA:TRUE, keyUsage critical keyCertSign+cRLSign,
// subject and authority key identifiers; valid from one hour ago for `validity`.
X509Ptr issue_ca_certificate(EVP_PKEY* ca_key, std::string_view common_name,
                             std::chrono::days validity);

// A server certificate for `key`, signed by the CA: subject "CN=<names[0]>",
// subjectAltName (RFC 5280 4.2.1.6) with each name (a numeric address becomes an
// iPAddress, anything else a dNSName), basicConstraints CA:FALSE, keyUsage critical
// digitalSignature, extendedKeyUsage serverAuth+clientAuth (so the same certificate
// serves MTLS between servers); valid from one hour ago for `validity`.
X509Ptr issue_server_certificate(EVP_PKEY* key, X509* ca_cert, EVP_PKEY* ca_key,
                                 const std::vector<std::string>& names, std::chrono::days validity);

// True if `cert` names `name` in its subjectAltName, exactly (no wildcard match,
// the subject CN is not consulted); numeric addresses are matched as iPAddress.
bool certificate_names(X509* cert, std::string_view name);

// True if `cert` is still valid `margin` from now.
bool valid_for_at_least(X509* cert, std::chrono::seconds margin);

// PEM I/O. read_* return nullptr when the file does not exist; a file that exists
// but does not parse throws. write_pem_file replaces the file atomically (temporary
// file + rename) and creates it with `mode` (0600 for keys).
X509Ptr read_certificate(const std::filesystem::path& file);
PKeyPtr read_private_key(const std::filesystem::path& file);
std::string certificate_pem(X509* cert);
std::string private_key_pem(EVP_PKEY* key);
void write_pem_file(const std::filesystem::path& file, std::string_view pem, unsigned mode);

}  // namespace parley::pki
