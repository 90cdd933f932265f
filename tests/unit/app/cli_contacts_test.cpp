#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/cli.hpp"
#include "store/sqlite/sqlite_contact_store.hpp"

namespace parley::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct Result {
  int status;
  std::string out;
  std::string err;
};

class CliContactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "parley-contacts-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    config_ = dir_ / "parley.toml";
    std::ofstream(config_) << "[server]\ndomains = [\"parley.test\"]\n"
                           << "fqdn = \"sip.parley.test\"\n"
                           << "data_dir = \"" << (dir_ / "data").string() << "\"\n";
    ASSERT_EQ(run({"user", "add", "alice@parley.test", "--password", "pw"}).status, 0);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // `args` followed by --config <the test's file>.
  Result run(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config_.string());
    std::istringstream in;
    std::ostringstream out, err;
    int status = run_cli(args, in, out, err);
    return {status, out.str(), err.str()};
  }

  store::ContactList stored() {
    store::SqliteContactStore contacts(
        std::make_shared<store::SqliteDatabase>(dir_ / "data" / "parley.db"));
    return contacts.list("alice@parley.test");
  }

  fs::path dir_;
  fs::path config_;
};

TEST_F(CliContactsTest, Lifecycle) {
  Result r = run({"contacts", "groups", "alice@parley.test"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "1\t~\t0 contacts\n");

  r = run({"contacts", "add-group", "alice@parley.test", "Team"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "added group 2 \"Team\" for alice@parley.test\n");
  EXPECT_EQ(run({"contacts", "add-group", "alice@parley.test", "Team"}).status, 1);

  r = run({"contacts", "add", "alice@PARLEY.test", "sip:bob@Parley.Test", "--name", "Bob", "--group",
           "Team", "-g", "~"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "added sip:bob@parley.test for alice@parley.test (groups: ~, Team)\n");
  r = run({"contacts", "add", "alice@parley.test", "carol@example.org"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(groups: ~)"));
  r = run({"contacts", "add", "alice@parley.test", "carol@example.org", "--name", "Carol", "-g", "2"});
  EXPECT_EQ(r.out, "updated sip:carol@example.org for alice@parley.test (groups: Team)\n");

  r = run({"contacts", "list", "alice@parley.test"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "sip:bob@parley.test\t\"Bob\"\t~, Team\n"
            "sip:carol@example.org\t\"Carol\"\tTeam\n");
  EXPECT_EQ(run({"contacts", "groups", "alice@parley.test"}).out,
            "1\t~\t1 contact\n2\tTeam\t2 contacts\n");

  r = run({"contacts", "remove", "alice@parley.test", "sip:bob@parley.test"});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "removed sip:bob@parley.test from alice@parley.test\n");
  r = run({"contacts", "remove", "alice@parley.test", "sip:bob@parley.test"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("has no contact sip:bob@parley.test"));

  store::ContactList l = stored();
  EXPECT_EQ(l.delta_num, 6);  // five changes
  ASSERT_EQ(l.contacts.size(), 1u);
  EXPECT_EQ(l.contacts[0].uri, "carol@example.org");
}

TEST_F(CliContactsTest, Errors) {
  Result r = run({"contacts", "list", "nobody@parley.test"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("no user nobody@parley.test"));
  EXPECT_EQ(run({"contacts", "list", "alice@elsewhere.test"}).status, 2);
  EXPECT_EQ(run({"contacts", "list", "not an aor"}).status, 2);
  r = run({"contacts", "add", "alice@parley.test", "bob"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("not a contact URI"));
  r = run({"contacts", "add", "alice@parley.test", "bob@parley.test", "--group", "Nope"});
  EXPECT_EQ(r.status, 1);
  EXPECT_THAT(r.err, HasSubstr("no group \"Nope\""));
  EXPECT_EQ(run({"contacts"}).status, 2);
  EXPECT_EQ(run({"contacts", "add", "alice@parley.test"}).status, 2);
  EXPECT_TRUE(stored().contacts.empty());
}

}  // namespace
}  // namespace parley::app
