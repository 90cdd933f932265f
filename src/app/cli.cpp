#include "app/cli.hpp"

#include <iostream>

#include "app/cli_context.hpp"
#include "app/version.hpp"

namespace parley::app {

void add_config_option(CLI::App& cmd, std::string& file) {
  cmd.add_option("-c,--config", file, "configuration file (TOML; see etc/parley.toml)");
}

config::Config load_config(const std::string& file) {
  try {
    return config::load(file.empty() ? std::nullopt : std::optional<std::filesystem::path>(file));
  } catch (const config::ConfigError& e) {
    throw CliError(e.what(), kExitUsage);
  }
}

namespace {

void add_version_command(CLI::App& app, CliContext& ctx) {
  auto* cmd = app.add_subcommand("version", "print the version");
  cmd->callback([&ctx] {
    ctx.action = [&ctx] {
      ctx.out << "parley " << kVersion << "\n";
      return kExitOk;
    };
  });
}

}  // namespace

int run_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
            std::ostream& err) {
  CliContext ctx{in, out, err, {}};
  CLI::App app{"Parley: an open unified-communications server (SIP registrar and proxy)", "parley"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("parley ") + std::string(kVersion));
  add_serve_command(app, ctx);
  add_cert_command(app, ctx);
  add_user_command(app, ctx);
  add_contacts_command(app, ctx);
  add_ports_command(app, ctx);
  add_firewall_command(app, ctx);
  add_topology_command(app, ctx);
  add_check_command(app, ctx);
  add_version_command(app, ctx);

  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.emplace_back("parley");
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<const char*> argv;
  for (const auto& a : storage) argv.push_back(a.c_str());

  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" with status 0; the rest are usage errors.
    return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
  }
  if (!ctx.action) {
    err << app.help();
    return kExitUsage;
  }
  try {
    return ctx.action();
  } catch (const CliError& e) {
    err << "parley: " << e.what() << "\n";
    return e.status;
  } catch (const config::ConfigError& e) {
    err << "parley: " << e.what() << "\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    err << "parley: " << e.what() << "\n";
    return kExitFailed;
  }
}

int run_cli(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return run_cli(args, std::cin, std::cout, std::cerr);
}

}  // namespace parley::app
