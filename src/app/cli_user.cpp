// parley user add|list|remove|passwd
#include <fstream>
#include <memory>
#include <vector>

#include "app/cli_context.hpp"
#include "app/user_admin.hpp"
#include "store/sqlite/sqlite_user_store.hpp"

namespace parley::app {
namespace {

struct UserOptions {
  std::string config_file;
  std::string file;  // user import: the list, "-" for standard input
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

// One user per line: AOR, password and an optional display name, separated by a
// comma or a tab ("alice@parley.test,secret,Alice A."); blank lines and lines
// starting with '#' are skipped. The password cannot contain the separator.
std::vector<store::User> read_user_list(const config::Config& cfg, std::istream& in,
                                        std::vector<std::size_t>& line_of) {
  std::vector<store::User> users;
  std::string line;
  for (std::size_t n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    const char sep = line.find('\t') != std::string::npos ? '\t' : ',';
    std::vector<std::string> fields;
    for (std::size_t pos = 0;;) {
      std::size_t end = line.find(sep, pos);
      fields.push_back(line.substr(pos, end == std::string::npos ? end : end - pos));
      if (end == std::string::npos || fields.size() == 3) {
        if (end != std::string::npos) fields.back() = line.substr(pos);
        break;
      }
      pos = end + 1;
    }
    const std::string where = "line " + std::to_string(n) + ": ";
    if (fields.size() < 2 || fields[1].empty()) {
      throw CliError(where + "expected AOR" + sep + "password[" + sep + "display name]",
                     kExitUsage);
    }
    AorArg aor;
    try {
      aor = local_aor(cfg, fields[0]);
    } catch (const CliError& e) {
      throw CliError(where + e.what(), e.status);
    }
    users.push_back(make_user(aor, fields.size() > 2 ? fields[2] : "", fields[1]));
    line_of.push_back(n);
  }
  return users;
}

int user_import(CliContext& ctx, const UserOptions& o) {
  Session s = open_store(o.config_file);
  std::vector<std::size_t> line_of;
  std::vector<store::User> users;
  if (o.file == "-") {
    users = read_user_list(s.cfg, ctx.in, line_of);
  } else {
    std::ifstream in(o.file);
    if (!in) throw CliError("cannot read " + o.file, kExitUsage);
    users = read_user_list(s.cfg, in, line_of);
  }
  if (auto conflict = s.users->add_all(users)) {
    throw CliError("line " + std::to_string(line_of[*conflict]) + ": user " +
                       users[*conflict].aor() + " already exists; nothing was imported",
                   kExitFailed);
  }
  ctx.out << "added " << users.size() << " users\n";
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
  if (!s.users->set_credentials(aor.username, aor.domain, u.ha1_md5, u.ha1_sha256, u.nt_hash)) {
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

  auto* import = user->add_subcommand(
      "import", "add many users at once, all or none: one \"AOR,password[,display name]\" per line");
  import->add_option("file", o->file, "the list (comma- or tab-separated); \"-\" reads standard input")
      ->required();
  add_config_option(*import, o->config_file);
  on_run(import, ctx, o, user_import);

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
