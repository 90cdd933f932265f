// parley ports [--format table|json]
#include "app/cli_context.hpp"
#include "topology/report.hpp"

namespace parley::app {

void add_ports_command(CLI::App& app, CliContext& ctx) {
  auto format = std::make_shared<std::string>("table");
  auto* cmd = app.add_subcommand("ports", "print the port catalogue (shared/PORTS.md as data)");
  cmd->add_option("-f,--format", *format, "output format")->check(CLI::IsMember({"table", "json"}));
  cmd->callback([&ctx, format] {
    ctx.action = [&ctx, format] {
      ctx.out << (*format == "json" ? topology::catalogue_json() : topology::catalogue_table());
      return kExitOk;
    };
  });
}

}  // namespace parley::app
