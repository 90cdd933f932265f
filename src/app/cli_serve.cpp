// parley serve [--config FILE]
#include <spdlog/spdlog.h>

#include "app/cli_context.hpp"
#include "app/serve.hpp"

namespace parley::app {

void add_serve_command(CLI::App& app, CliContext& ctx) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("serve", "run the server");
  add_config_option(*cmd, *file);
  cmd->callback([&ctx, file] {
    ctx.action = [file] {
      config::Config cfg = load_config(*file);
      spdlog::set_level(spdlog::level::from_str(cfg.log_level));
      return serve(cfg);
    };
  });
}

}  // namespace parley::app
