// parley cert init [--config FILE]
#include "app/cli_context.hpp"
#include "pki/pki.hpp"

namespace parley::app {

namespace {

int cert_init(CliContext& ctx, const std::string& file) {
  config::Config cfg = load_config(file);
  pki::PkiPaths paths = pki::ensure_pki(cfg.pki_dir(), cfg.fqdn, cfg.domains);
  auto& out = ctx.out;
  out << (paths.created_ca ? "created" : "kept") << " CA certificate: " << paths.ca_cert.string()
      << "\n";
  out << "  clients must trust this CA to connect over TLS\n";
  out << (paths.issued_server ? "issued" : "kept")
      << " server certificate: " << paths.server_cert.string();
  if (paths.issued_server) out << " (" << paths.issue_reason << ")";
  out << "\n";
  out << "server key: " << paths.server_key.string() << "\n";
  if (cfg.tls.cert != paths.server_cert || cfg.tls.key != paths.server_key) {
    out << "note: the configuration's [tls] cert/key (" << cfg.tls.cert.string() << ", "
        << cfg.tls.key.string() << ") are used by the server, not these files\n";
  }
  return kExitOk;
}

}  // namespace

void add_cert_command(CLI::App& app, CliContext& ctx) {
  auto* cert = app.add_subcommand("cert", "manage the server's private CA and certificate");
  cert->require_subcommand(1);
  auto file = std::make_shared<std::string>();
  auto* init = cert->add_subcommand(
      "init", "create the CA and the server certificate if missing; print their paths");
  add_config_option(*init, *file);
  init->callback([&ctx, file] { ctx.action = [&ctx, file] { return cert_init(ctx, *file); }; });
}

}  // namespace parley::app
