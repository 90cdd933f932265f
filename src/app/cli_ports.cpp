// The port catalogue's verbs:
//   parley ports [--role R] [--topology] [--format table|markdown|json|csv] [--config F]
//   parley firewall [--target nftables|iptables|ip6tables] [--role R] [--documented]
//                   [--allow PORT/PROTO]... [--config F]
//   parley topology [--config F]
#include "app/cli_context.hpp"
#include "topology/firewall.hpp"
#include "topology/port_plan.hpp"
#include "topology/report.hpp"

namespace parley::app {
namespace {

// "--role R": a role token of deployment.hpp, checked by CLI11 before any action runs.
CLI::Option* add_role_option(CLI::App& cmd, std::string& role) {
  std::vector<std::string> tokens;
  for (auto r : topology::all_roles()) tokens.emplace_back(topology::to_token(r));
  return cmd.add_option("-r,--role", role, "only this role's rows")->check(CLI::IsMember(tokens));
}

std::optional<topology::Role> role_of(const std::string& token) {
  if (token.empty()) return std::nullopt;
  return topology::parse_role(token);
}

struct PortsArgs {
  std::string config;
  std::string format = "table";
  std::string role;
  bool topology_only = false;
};

struct FirewallArgs {
  std::string config;
  std::string target = "nftables";
  std::string role;
  bool documented = false;
  std::vector<std::string> allow;
};

}  // namespace

void add_ports_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<PortsArgs>();
  auto* cmd = app.add_subcommand(
      "ports", "print the port catalogue (shared/PORTS.md as data) with this deployment's status");
  add_config_option(*cmd, args->config);
  cmd->add_option("-f,--format", args->format, "output format")
      ->check(CLI::IsMember({"table", "markdown", "json", "csv"}));
  add_role_option(*cmd, args->role);
  cmd->add_flag("-t,--topology", args->topology_only,
                "only the rows of roles this deployment runs");
  cmd->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      topology::PortPlan plan(load_config(args->config));
      topology::ReportFilter filter{role_of(args->role), args->topology_only};
      if (args->format == "json") {
        ctx.out << topology::catalogue_json(plan, filter);
      } else if (args->format == "csv") {
        ctx.out << topology::catalogue_csv(plan, filter);
      } else if (args->format == "markdown") {
        ctx.out << topology::catalogue_markdown(plan, filter);
      } else {
        ctx.out << topology::catalogue_table(plan, filter);
      }
      return kExitOk;
    };
  });
}

void add_firewall_command(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<FirewallArgs>();
  auto* cmd = app.add_subcommand(
      "firewall", "print host firewall rules that open what the topology's roles need");
  add_config_option(*cmd, args->config);
  cmd->add_option("--target", args->target, "rule language")
      ->check(CLI::IsMember({"nftables", "iptables", "ip6tables"}));
  add_role_option(*cmd, args->role);
  cmd->add_flag("--documented", args->documented,
                "open every port the catalogue documents for the roles, not only those served");
  cmd->add_option("--allow", args->allow, "also open PORT[-PORT]/tcp|udp (e.g. 22/tcp)");
  cmd->callback([&ctx, args] {
    ctx.action = [&ctx, args] {
      topology::FirewallOptions opt;
      opt.target = *topology::parse_firewall_target(args->target);
      opt.role = role_of(args->role);
      opt.documented = args->documented;
      for (const auto& a : args->allow) {
        auto extra = topology::parse_extra_port(a);
        if (!extra)
          throw CliError("--allow " + a + ": expected PORT/tcp or LOW-HIGH/udp", kExitUsage);
        opt.allow.push_back(*extra);
      }
      topology::PortPlan plan(load_config(args->config));
      try {
        ctx.out << topology::firewall_rules(plan, opt);
      } catch (const std::invalid_argument& e) {
        throw CliError(e.what(), kExitUsage);
      }
      return kExitOk;
    };
  });
}

void add_topology_command(CLI::App& app, CliContext& ctx) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "topology", "print the roles this deployment runs and where each service listens");
  add_config_option(*cmd, *file);
  cmd->callback([&ctx, file] {
    ctx.action = [&ctx, file] {
      ctx.out << topology::topology_report(topology::PortPlan(load_config(*file)));
      return kExitOk;
    };
  });
}

}  // namespace parley::app
