// parley user add|list|remove|passwd
#include <memory>

#include "app/cli_context.hpp"
#include "app/user_admin.hpp"
#include "store/sqlite/sqlite_user_store.hpp"

namespace parley::app {
namespace {

struct UserOptions {
  std::string config_file;
  std::string aor;
  std::string password;
  std::string display_name;
};

struct Session {
  config::Config cfg;
  std::unique_ptr<store::SqliteUserStore> users;
};

Session open_store(const std::string& config_file) {
  Session s{load_config(config_file), nullptr};
  auto db = std::make_shared<store::SqliteDatabase>(s.cfg.database_path());
  s.users = std::make_unique<store::SqliteUserStore>(std::move(db));
  return s;
}

// Parses the AOR and checks its domain is one this server serves.
AorArg local_aor(const config::Config& cfg, const std::string& text) {
  auto aor = parse_aor(text);
  if (!aor) throw CliError("not an address of record (user@domain): \"" + text + "\"", kExitUsage);
  if (!cfg.is_local_domain(aor->domain)) {
    std::string domains;
    for (const auto& d : cfg.domains) domains += (domains.empty() ? "" : ", ") + d;
    throw CliError("domain " + aor->domain + " is not served here (domains: " + domains + ")",
                   kExitUsage);
  }
  return *aor;
}

std::string password_of(CliContext& ctx, const std::string& arg) {
  auto password = read_password(arg, ctx.in);
  if (!password) throw CliError("the password must not be empty", kExitUsage);
  return *password;
}

int user_add(CliContext& ctx, const UserOptions& o) {
  Session s = open_store(o.config_file);
  AorArg aor = local_aor(s.cfg, o.aor);
  std::string password = password_of(ctx, o.password);
  if (!s.users->add(make_user(aor, o.display_name, password))) {
    throw CliError("user " + aor.username + "@" + aor.domain + " already exists", kExitFailed);
  }
  ctx.out << "added " << aor.username << "@" << aor.domain << "\n";
  return kExitOk;
}

int user_list(CliContext& ctx, const UserOptions& o) {
  Session s = open_store(o.config_file);
  for (const auto& u : s.users->list()) {
    ctx.out << u.aor();
    if (!u.display_name.empty()) ctx.out << "\t\"" << u.display_name << "\"";
    ctx.out << "\n";
  }
  return kExitOk;
}

int user_remove(CliContext& ctx, const UserOptions& o) {
  Session s = open_store(o.config_file);
  AorArg aor = local_aor(s.cfg, o.aor);
  if (!s.users->remove(aor.username, aor.domain)) {
    throw CliError("no user " + aor.username + "@" + aor.domain, kExitFailed);
  }
  ctx.out << "removed " << aor.username << "@" << aor.domain << "\n";
  return kExitOk;
}

int user_passwd(CliContext& ctx, const UserOptions& o) {
  Session s = open_store(o.config_file);
  AorArg aor = local_aor(s.cfg, o.aor);
  std::string password = password_of(ctx, o.password);
  store::User u = make_user(aor, "", password);
  if (!s.users->set_credentials(aor.username, aor.domain, u.ha1_md5, u.ha1_sha256)) {
    throw CliError("no user " + aor.username + "@" + aor.domain, kExitFailed);
  }
  ctx.out << "changed the password of " << aor.username << "@" << aor.domain << "\n";
  return kExitOk;
}

using Verb = int (*)(CliContext&, const UserOptions&);

void on_run(CLI::App* cmd, CliContext& ctx, std::shared_ptr<UserOptions> o, Verb verb) {
  cmd->callback([&ctx, o, verb] { ctx.action = [&ctx, o, verb] { return verb(ctx, *o); }; });
}

}  // namespace

void add_user_command(CLI::App& app, CliContext& ctx) {
  auto* user = app.add_subcommand("user", "manage the users of the local domains");
  user->require_subcommand(1);
  auto o = std::make_shared<UserOptions>();
  const char* aor_help = "address of record, e.g. alice@parley.test";
  const char* pw_help = "the password; \"-\" reads one line from standard input";

  auto* add = user->add_subcommand("add", "add a user");
  add->add_option("aor", o->aor, aor_help)->required();
  add->add_option("-p,--password", o->password, pw_help)->required();
  add->add_option("-n,--display-name", o->display_name, "display name");
  add_config_option(*add, o->config_file);
  on_run(add, ctx, o, user_add);

  auto* list = user->add_subcommand("list", "list the users");
  add_config_option(*list, o->config_file);
  on_run(list, ctx, o, user_list);

  auto* remove = user->add_subcommand("remove", "remove a user");
  remove->add_option("aor", o->aor, aor_help)->required();
  add_config_option(*remove, o->config_file);
  on_run(remove, ctx, o, user_remove);

  auto* passwd = user->add_subcommand("passwd", "change a user's password");
  passwd->add_option("aor", o->aor, aor_help)->required();
  passwd->add_option("-p,--password", o->password, pw_help)->required();
  add_config_option(*passwd, o->config_file);
  on_run(passwd, ctx, o, user_passwd);
}

}  // namespace parley::app
