// parley check HOST [--role R] [--documented] [--timeout MS] [--ca FILE]
//                   [--server-name NAME] [--config F]
//
// Which ports to probe comes from the port plan (topology/port_plan.hpp): the
// listeners this configuration opens for the role(s), each with a SIP OPTIONS; with
// --documented also every other documented port of the role(s) that a connection can
// test (single TCP ports; TLS for the rows whose protocol says TLS, MTLS or HTTPS).
// The probing and the verdicts are topology/check/port_check.hpp's.
#include <filesystem>

#include "app/cli_context.hpp"
#include "topology/check/port_check.hpp"
#include "topology/port_plan.hpp"

namespace parley::app {
namespace {

struct CheckArgs {
  std::string config;
  std::string host;
  std::string role;
  bool documented = false;
  unsigned timeout_ms = 3000;
  std::string ca;
  std::string server_name;
};

check::Transport probe_transport(sip::Transport t) {
  switch (t) {
    case sip::Transport::Udp:
      return check::Transport::Udp;
    case sip::Transport::Tcp:
      return check::Transport::Tcp;
    case sip::Transport::Tls:
      return check::Transport::Tls;
  }
  return check::Transport::Tcp;
}

// How a documented row that Parley does not serve is probed: a TLS handshake when
// its protocol names TLS, MTLS or HTTPS, a TCP connect otherwise; UDP-only rows are
// listed but not probed (silence proves nothing without a protocol to speak).
check::Transport documented_transport(topology::ProtocolSet p) {
  using topology::Protocol;
  bool tcp = p.has(Protocol::Tcp) || p.has(Protocol::Tls) || p.has(Protocol::Mtls) ||
             p.has(Protocol::Https) || p.has(Protocol::Http) || p.has(Protocol::Dcom) ||
             p.has(Protocol::Rpc) || p.empty();
  if (!tcp) return check::Transport::Udp;
  if (p.has(Protocol::Tls) || p.has(Protocol::Mtls) || p.has(Protocol::Https)) {
    return check::Transport::Tls;
  }
  return check::Transport::Tcp;
}

std::string row_label(const topology::ServerPort& row) {
  std::string s(row.role);
  if (!row.service.empty()) s += " / " + std::string(row.service);
  return s;
}

// What to probe: the role's needed ports (port_plan.hpp) that one connection can
// test. Open listeners get a SIP OPTIONS; documented rows only a connection, and
// port ranges are left out.
std::vector<check::Target> targets(const topology::PortPlan& plan,
                                   std::optional<topology::Role> role, bool documented) {
  std::vector<check::Target> out;
  for (const auto& p : topology::needed_ports(plan, role, documented)) {
    if (p.listener != nullptr) {
      out.push_back({row_label(*p.row) + " (" + p.listener->key + ")", p.ports.low,
                     probe_transport(p.listener->transport), /*sip=*/true, /*required=*/true});
    } else if (!p.ports.single()) {
      continue;
    } else if (p.row != nullptr) {
      out.push_back({row_label(*p.row) + " [" + std::string(p.row->protocol) + "] (documented)",
                     p.ports.low, documented_transport(p.row->protocols()), false, true});
    } else if (p.federation != nullptr) {
      const auto& row = *p.federation;
      check::Transport t = row.transport == "UDP" ? check::Transport::Udp
                           : row.protocols().has(topology::Protocol::Tls) ||
                                   row.protocols().has(topology::Protocol::Mtls)
                               ? check::Transport::Tls
                               : check::Transport::Tcp;
      out.push_back({"Edge " + std::string(row.label) + " from " + std::string(row.source),
                     p.ports.low, t, false, true});
    }
  }
  return out;
}

}  // namespace

void add_check_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<CheckArgs>();
  auto* cmd = app.add_subcommand(
      "check", "connect to each port the role needs on HOST and report what answers");
  add_config_option(*cmd, args->config);
  cmd->add_option("host", args->host, "host name or address to check")->required();
  std::vector<std::string> tokens;
  for (auto r : topology::all_roles()) {
    if (topology::is_server_role(r)) tokens.emplace_back(topology::to_token(r));
  }
  cmd->add_option("-r,--role", args->role, "check this role (default: the topology's roles)")
      ->check(CLI::IsMember(tokens));
  cmd->add_flag("--documented", args->documented,
                "also probe the documented ports Parley does not serve (e.g. a Lync server's)");
  cmd->add_option("--timeout", args->timeout_ms,
                  "milliseconds per step (connect, handshake, "
                  "answer)")
      ->check(CLI::Range(1u, 60000u));
  cmd->add_option("--ca", args->ca,
                  "CA certificates (PEM) to verify against (default: the deployment's CA)");
  cmd->add_option("--server-name", args->server_name,
                  "name to send as SNI and to look for in the certificate (default: HOST)");
  cmd->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      config::Config cfg = load_config(args->config);
      topology::PortPlan plan(cfg);
      std::optional<topology::Role> role;
      if (!args->role.empty()) role = topology::parse_role(args->role);

      check::Options opt;
      opt.host = args->host;
      opt.timeout = std::chrono::milliseconds(args->timeout_ms);
      opt.server_name = args->server_name;
      std::error_code ec;
      if (!args->ca.empty()) {
        opt.ca = args->ca;
      } else if (std::filesystem::is_regular_file(cfg.tls.ca, ec)) {
        opt.ca = cfg.tls.ca;
      }
      // Servers that require client certificates (MTLS, [tls] verify_client) are
      // checked as a peer server would: with this deployment's own certificate.
      if (cfg.tls.verify_client && std::filesystem::is_regular_file(cfg.tls.cert, ec) &&
          std::filesystem::is_regular_file(cfg.tls.key, ec)) {
        opt.client_certificate = cfg.tls.cert;
        opt.client_key = cfg.tls.key;
      }

      std::vector<check::Target> list = targets(plan, role, args->documented);
      if (list.empty()) {
        throw CliError(
            "nothing to check: the role has no listener in this configuration (try --documented)",
            kExitUsage);
      }
      std::vector<check::PortReport> reports;
      try {
        reports = check::run_checks(opt, list);
      } catch (const check::CheckError& e) {
        throw CliError(e.what(), kExitFailed);
      }
      ctx.out << check::format_report(opt, reports);
      return check::passed(reports) ? kExitOk : kExitFailed;
    };
  });
}

}  // namespace parley::app
