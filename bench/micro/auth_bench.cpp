// Digest Authorization parsing (sip/auth): the per-REGISTER cost of reading
// the credentials before any hashing (RFC 3261 22.4, RFC 7616 3.4).
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "corpus.hpp"
#include "micro.hpp"
#include "sip/auth/auth_params.hpp"
#include "sip/auth/credentials.hpp"
#include "sip/auth/message_credentials.hpp"
#include "sip/message.hpp"

namespace parley::bench {
namespace {

constexpr std::string_view kRealm = "parley.test";

// RFC 2617-style credentials without qop.
constexpr std::string_view kMinimal =
    "Digest username=\"alice\", realm=\"parley.test\", "
    "nonce=\"Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODlhYmNkZWY\", uri=\"sip:parley.test\", "
    "response=\"5f1c3a0e8b7d2c4a9e6f0b1d3c5a7e9f\"";

// RFC 7616 / RFC 8760 SHA-256 credentials with qop, as a newer client sends.
constexpr std::string_view kSha256 =
    "Digest username=\"alice\", realm=\"parley.test\", uri=\"sip:parley.test\", "
    "algorithm=SHA-256, nonce=\"Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODlhYmNkZWY\", "
    "nc=00000001, cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
    "response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

// A Lync client's NTLM line (the generic auth-param parser; [MS-SIPAE] 2.2.2).
constexpr std::string_view kNtlm =
    "NTLM qop=\"auth\", realm=\"SIP Communications Service\", targetname=\"fe01.parley.test\", "
    "gssapi-data=\"TlRMTVNTUAABAAAAt4II4gAAAAAAAAAAAAAAAAAAAAAGAbEdAAAADw==\", version=4";

// The typical REGISTER with the other lines a Lync client sends beside Digest:
// NTLM, Kerberos and Digest for another realm ([MS-SIPAE] 3.2.5.2).
SampleMessage lync_register() {
  std::string bytes = typical_register().bytes;
  const std::string at = "Authorization: Digest";
  std::size_t pos = bytes.find(at);
  if (pos == std::string::npos) fail("typical REGISTER has no Authorization line");
  bytes.insert(pos,
               "Authorization: " + std::string(kNtlm) +
                   "\r\n"
                   "Authorization: Kerberos qop=\"auth\", realm=\"SIP Communications Service\", "
                   "targetname=\"sip/fe01.parley.test\", gssapi-data=\"YIIFbQYJKoZIhvcSAQICAQBuggVc\""
                   "\r\n"
                   "Authorization: Digest username=\"alice\", realm=\"elsewhere.test\", "
                   "nonce=\"bm9uY2U\", uri=\"sip:elsewhere.test\", "
                   "response=\"00112233445566778899aabbccddeeff\"\r\n");
  return SampleMessage{"register_lync", bytes};
}

std::string register_authorization() {
  sip::Message m = require_parse(typical_register(), "parse_digest");
  const sip::Header* h = m.find(sip::HeaderId::Authorization);
  if (h == nullptr) fail("typical REGISTER has no Authorization header");
  return std::string(h->value);
}

void parse_digest(benchmark::State& state, std::string value) {
  auto check = sip::auth::parse_digest_credentials(value);
  if (!check.ok()) fail("parse_digest_credentials: " + value + ": " + check.error);
  for (auto _ : state) {
    sip::auth::DigestParse p = sip::auth::parse_digest_credentials(value);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(value.size()));
}

void parse_auth_params(benchmark::State& state, std::string value) {
  std::string error;
  if (!sip::auth::parse_auth_params(value, &error))
    fail("parse_auth_params: " + value + ": " + error);
  for (auto _ : state) {
    auto p = sip::auth::parse_auth_params(value);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(value.size()));
}

// What the registrar does with a parsed REGISTER: find the Digest line for its
// realm among the Authorization headers and parse it.
void select_credentials(benchmark::State& state, SampleMessage sample) {
  const sip::Message m = require_parse(sample, "select_credentials");
  auto check = sip::auth::select_credentials(m, kRealm, /*proxy=*/false);
  if (check.status != sip::auth::VerifyStatus::Ok)
    fail("select_credentials: " + sample.name + ": no usable Digest line: " + check.error);
  std::int64_t bytes = 0;
  for (const sip::Header* h : m.find_all(sip::HeaderId::Authorization))
    bytes += static_cast<std::int64_t>(h->value.size());
  for (auto _ : state) {
    auto sel = sip::auth::select_credentials(m, kRealm, /*proxy=*/false);
    benchmark::DoNotOptimize(sel);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * bytes);
}

}  // namespace

void register_auth_benchmarks() {
  benchmark::RegisterBenchmark("parse_digest/register_md5_qop", parse_digest,
                               register_authorization());
  benchmark::RegisterBenchmark("parse_digest/minimal", parse_digest, std::string(kMinimal));
  benchmark::RegisterBenchmark("parse_digest/sha256", parse_digest, std::string(kSha256));
  benchmark::RegisterBenchmark("parse_auth_params/ntlm", parse_auth_params, std::string(kNtlm));
  benchmark::RegisterBenchmark("select_credentials/register", select_credentials,
                               typical_register());
  benchmark::RegisterBenchmark("select_credentials/register_lync", select_credentials,
                               lync_register());
}

}  // namespace parley::bench
