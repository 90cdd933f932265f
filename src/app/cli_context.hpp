// What the verbs of the command line share: the streams, the --config option and
// the action the parsed verb selected. Internal to src/app/cli*.cpp.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace parley::app {

// Exit statuses.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the operation failed (no such user, I/O error...)
inline constexpr int kExitUsage = 2;   // bad arguments or configuration

// An error the verb reports on stderr, with its exit status.
struct CliError : std::runtime_error {
  CliError(const std::string& what, int status) : std::runtime_error(what), status(status) {}
  int status;
};

struct CliContext {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  // Set by the selected verb's callback; run after parsing. Returns the exit status
  // or throws CliError (or config::ConfigError, store::StoreError, pki::PkiError).
  std::function<int()> action;
};

// Adds "--config FILE" to `cmd`, storing into `file` ("" = not given).
void add_config_option(CLI::App& cmd, std::string& file);

// config::load of `file` (defaults only when empty), with ConfigError turned
// into CliError(kExitUsage).
config::Config load_config(const std::string& file);

// The verbs (cli_serve.cpp, cli_cert.cpp, cli_user.cpp, cli_ports.cpp).
void add_serve_command(CLI::App& app, CliContext& ctx);
void add_cert_command(CLI::App& app, CliContext& ctx);
void add_user_command(CLI::App& app, CliContext& ctx);
void add_contacts_command(CLI::App& app, CliContext& ctx);  // cli_contacts.cpp
void add_ports_command(CLI::App& app, CliContext& ctx);     // cli_ports.cpp
void add_firewall_command(CLI::App& app, CliContext& ctx);  // cli_ports.cpp
void add_topology_command(CLI::App& app, CliContext& ctx);  // cli_ports.cpp
void add_check_command(CLI::App& app, CliContext& ctx);     // cli_check.cpp

}  // namespace parley::app
