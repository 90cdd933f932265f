// parley contacts list|add|remove|groups|add-group: a user's server-stored
// contact list (store/contact_store.hpp), the one Lync-protocol clients roam.
//
// Changes made here bump the list's deltaNum like a client's would, but no
// contactDelta reaches a client that is signed in (this is another process): its
// next change is refused as stale until it subscribes again (at its next sign-in).
#include <algorithm>
#include <memory>
#include <vector>

#include "app/cli_context.hpp"
#include "app/user_admin.hpp"
#include "store/sqlite/sqlite_contact_store.hpp"
#include "store/sqlite/sqlite_user_store.hpp"

namespace parley::app {
namespace {

struct ContactsOptions {
  std::string config_file;
  std::string aor;
  std::string contact_uri;
  std::string name;                 // add: the contact's display name; add-group: the group
  std::vector<std::string> groups;  // add: group names or ids
};

struct Session {
  config::Config cfg;
  std::unique_ptr<store::SqliteContactStore> contacts;
  std::string aor;  // user@domain, domain lower-cased
};

// Opens the database and checks that the AOR is a user of a local domain.
Session open_user(const ContactsOptions& o) {
  Session s{load_config(o.config_file), nullptr, {}};
  auto aor = parse_aor(o.aor);
  if (!aor) throw CliError("not an address of record (user@domain): \"" + o.aor + "\"", kExitUsage);
  if (!s.cfg.is_local_domain(aor->domain)) {
    throw CliError("domain " + aor->domain + " is not served here", kExitUsage);
  }
  auto db = std::make_shared<store::SqliteDatabase>(s.cfg.database_path());
  s.aor = aor->username + "@" + aor->domain;
  if (!store::SqliteUserStore(db).find(aor->username, aor->domain)) {
    throw CliError("no user " + s.aor, kExitFailed);
  }
  s.contacts = std::make_unique<store::SqliteContactStore>(std::move(db));
  return s;
}

template <class T>
T changed(const store::ContactResult<T>& r) {
  if (const auto* why = std::get_if<store::ContactRefusal>(&r)) {
    throw CliError(std::string(store::to_string(*why)), kExitFailed);
  }
  return std::get<T>(r);
}

std::string group_names(const store::ContactList& list, const std::vector<std::int64_t>& ids) {
  std::string out;
  for (std::int64_t id : ids) {
    auto g = std::find_if(list.groups.begin(), list.groups.end(),
                          [id](const store::ContactGroup& x) { return x.id == id; });
    if (!out.empty()) out += ", ";
    out += g != list.groups.end() ? g->name : std::to_string(id);
  }
  return out;
}

// A group named on the command line: by name first, then by id.
std::int64_t find_group(const store::ContactList& list, const std::string& arg) {
  for (const auto& g : list.groups) {
    if (g.name == arg) return g.id;
  }
  for (const auto& g : list.groups) {
    if (std::to_string(g.id) == arg) return g.id;
  }
  throw CliError("no group \"" + arg + "\" (see `parley contacts groups`; create it with "
                 "`parley contacts add-group`)",
                 kExitFailed);
}

int contacts_list(CliContext& ctx, const ContactsOptions& o) {
  Session s = open_user(o);
  const store::ContactList list = s.contacts->list(s.aor);
  for (const auto& c : list.contacts) {
    ctx.out << "sip:" << c.uri << "\t\"" << c.name << "\"\t" << group_names(list, c.groups);
    if (!c.subscribed) ctx.out << "\t(not subscribed)";
    ctx.out << "\n";
  }
  return kExitOk;
}

int contacts_groups(CliContext& ctx, const ContactsOptions& o) {
  Session s = open_user(o);
  const store::ContactList list = s.contacts->list(s.aor);
  for (const auto& g : list.groups) {
    const auto members = std::count_if(list.contacts.begin(), list.contacts.end(), [&](const auto& c) {
      return std::find(c.groups.begin(), c.groups.end(), g.id) != c.groups.end();
    });
    ctx.out << g.id << "\t" << g.name << "\t" << members << (members == 1 ? " contact" : " contacts")
            << "\n";
  }
  return kExitOk;
}

int contacts_add(CliContext& ctx, const ContactsOptions& o) {
  Session s = open_user(o);
  auto uri = store::normalize_contact_uri(o.contact_uri);
  if (!uri) throw CliError("not a contact URI (sip:user@host): \"" + o.contact_uri + "\"", kExitUsage);
  const store::ContactList list = s.contacts->list(s.aor);
  store::Contact c;
  c.uri = *uri;
  c.name = o.name;
  for (const auto& g : o.groups) c.groups.push_back(find_group(list, g));
  const store::ContactDelta d = changed(s.contacts->set_contact(s.aor, c, std::nullopt));
  const bool added = !d.added_contacts.empty();
  const store::Contact& stored = added ? d.added_contacts.front() : d.modified_contacts.front();
  ctx.out << (added ? "added sip:" : "updated sip:") << stored.uri << " for " << s.aor
          << " (groups: " << group_names(list, stored.groups) << ")\n";
  return kExitOk;
}

int contacts_remove(CliContext& ctx, const ContactsOptions& o) {
  Session s = open_user(o);
  auto uri = store::normalize_contact_uri(o.contact_uri);
  if (!uri) throw CliError("not a contact URI (sip:user@host): \"" + o.contact_uri + "\"", kExitUsage);
  auto r = s.contacts->delete_contact(s.aor, *uri, std::nullopt);
  if (const auto* why = std::get_if<store::ContactRefusal>(&r)) {
    if (*why == store::ContactRefusal::no_such_contact) {
      throw CliError(s.aor + " has no contact sip:" + *uri, kExitFailed);
    }
    throw CliError(std::string(store::to_string(*why)), kExitFailed);
  }
  ctx.out << "removed sip:" << *uri << " from " << s.aor << "\n";
  return kExitOk;
}

int contacts_add_group(CliContext& ctx, const ContactsOptions& o) {
  Session s = open_user(o);
  if (o.name.empty()) throw CliError("the group name must not be empty", kExitUsage);
  auto r = s.contacts->add_group(s.aor, o.name, "", std::nullopt);
  if (const auto* why = std::get_if<store::ContactRefusal>(&r)) {
    if (*why == store::ContactRefusal::duplicate_group) {
      throw CliError(s.aor + " already has a group \"" + o.name + "\"", kExitFailed);
    }
    throw CliError(std::string(store::to_string(*why)), kExitFailed);
  }
  ctx.out << "added group " << std::get<store::ContactDelta>(r).added_groups.front().id << " \""
          << o.name << "\" for " << s.aor << "\n";
  return kExitOk;
}

using Verb = int (*)(CliContext&, const ContactsOptions&);

void on_run(CLI::App* cmd, CliContext& ctx, std::shared_ptr<ContactsOptions> o, Verb verb) {
  cmd->callback([&ctx, o, verb] { ctx.action = [&ctx, o, verb] { return verb(ctx, *o); }; });
}

}  // namespace

void add_contacts_command(CLI::App& app, CliContext& ctx) {
  auto* contacts =
      app.add_subcommand("contacts", "manage a user's server-stored contact list (Lync clients)");
  contacts->require_subcommand(1);
  auto o = std::make_shared<ContactsOptions>();
  const char* aor_help = "the user, e.g. alice@parley.test";
  const char* uri_help = "the contact, e.g. sip:bob@parley.test";

  auto* list = contacts->add_subcommand("list", "list the user's contacts");
  list->add_option("aor", o->aor, aor_help)->required();
  add_config_option(*list, o->config_file);
  on_run(list, ctx, o, contacts_list);

  auto* add = contacts->add_subcommand("add", "add a contact, or update one");
  add->add_option("aor", o->aor, aor_help)->required();
  add->add_option("contact", o->contact_uri, uri_help)->required();
  add->add_option("-n,--name", o->name, "display name shown for the contact");
  add->add_option("-g,--group", o->groups,
                  "group name or id (repeatable; default: the default group \"~\")");
  add_config_option(*add, o->config_file);
  on_run(add, ctx, o, contacts_add);

  auto* remove = contacts->add_subcommand("remove", "remove a contact");
  remove->add_option("aor", o->aor, aor_help)->required();
  remove->add_option("contact", o->contact_uri, uri_help)->required();
  add_config_option(*remove, o->config_file);
  on_run(remove, ctx, o, contacts_remove);

  auto* groups = contacts->add_subcommand("groups", "list the user's contact groups");
  groups->add_option("aor", o->aor, aor_help)->required();
  add_config_option(*groups, o->config_file);
  on_run(groups, ctx, o, contacts_groups);

  auto* add_group = contacts->add_subcommand("add-group", "add a contact group");
  add_group->add_option("aor", o->aor, aor_help)->required();
  add_group->add_option("name", o->name, "the group's name")->required();
  add_config_option(*add_group, o->config_file);
  on_run(add_group, ctx, o, contacts_add_group);
}

}  // namespace parley::app
