#include "app/cli.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <sstream>

#include "app/version.hpp"
#include "sip/auth/digest.hpp"
#include "store/sqlite/sqlite_user_store.hpp"

namespace parley::app {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

struct CliResult {
  int status;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "parley-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    config_ = dir_ / "parley.toml";
    std::ofstream(config_) << "[server]\ndomains = [\"parley.test\", \"example.org\"]\n"
                           << "fqdn = \"sip.parley.test\"\n"
                           << "data_dir = \"" << (dir_ / "data").string() << "\"\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  CliResult run(std::vector<std::string> args, const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    int status = run_cli(args, in, out, err);
    return {status, out.str(), err.str()};
  }
  // `args` followed by --config <the test's file>.
  CliResult runc(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.push_back("--config");
    args.push_back(config_.string());
    return run(std::move(args), stdin_text);
  }

  std::optional<store::User> stored(const std::string& user, const std::string& domain) {
    store::SqliteUserStore users(
        std::make_shared<store::SqliteDatabase>(dir_ / "data" / "parley.db"));
    return users.find(user, domain);
  }

  fs::path dir_;
  fs::path config_;
};

TEST_F(CliTest, Version) {
  CliResult r = run({"version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out, "parley " + std::string(kVersion) + "\n");
}

TEST_F(CliTest, NoVerbIsAUsageError) {
  CliResult r = run({});
  EXPECT_EQ(r.status, 2);
  EXPECT_FALSE(r.err.empty());
  EXPECT_EQ(run({"frobnicate"}).status, 2);
  EXPECT_EQ(run({"user"}).status, 2);
  EXPECT_EQ(run({"cert"}).status, 2);
  CliResult help = run({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.out, HasSubstr("serve"));
}

TEST_F(CliTest, UserLifecycle) {
  CliResult add = runc(
      {"user", "add", "alice@Parley.Test", "--password", "secret", "--display-name", "Alice A."});
  ASSERT_EQ(add.status, 0) << add.err;
  EXPECT_EQ(add.out, "added alice@parley.test\n");

  auto u = stored("alice", "parley.test");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->display_name, "Alice A.");
  EXPECT_EQ(u->ha1_md5,
            sip::auth::digest_ha1(sip::auth::Algorithm::Md5, "alice", "parley.test", "secret"));
  EXPECT_EQ(u->ha1_sha256,
            sip::auth::digest_ha1(sip::auth::Algorithm::Sha256, "alice", "parley.test", "secret"));
  EXPECT_EQ(u->nt_hash, "878d8014606cda29677a44efa1353fc7");  // MD4(UTF-16LE("secret"))

  CliResult dup = runc({"user", "add", "alice@parley.test", "--password", "x"});
  EXPECT_EQ(dup.status, 1);
  EXPECT_THAT(dup.err, HasSubstr("already exists"));

  ASSERT_EQ(runc({"user", "add", "bob@example.org", "--password", "-"}, "pw from stdin\n").status,
            0);
  EXPECT_EQ(
      stored("bob", "example.org")->ha1_md5,
      sip::auth::digest_ha1(sip::auth::Algorithm::Md5, "bob", "example.org", "pw from stdin"));

  CliResult list = runc({"user", "list"});
  EXPECT_EQ(list.status, 0);
  EXPECT_EQ(list.out, "bob@example.org\nalice@parley.test\t\"Alice A.\"\n");

  CliResult pw = runc({"user", "passwd", "alice@parley.test", "--password", "new"});
  ASSERT_EQ(pw.status, 0) << pw.err;
  EXPECT_EQ(stored("alice", "parley.test")->ha1_md5,
            sip::auth::digest_ha1(sip::auth::Algorithm::Md5, "alice", "parley.test", "new"));
  EXPECT_EQ(stored("alice", "parley.test")->nt_hash, "89963f5042e5041a59c249282387a622");
  EXPECT_EQ(stored("alice", "parley.test")->display_name, "Alice A.");

  CliResult rm = runc({"user", "remove", "alice@parley.test"});
  EXPECT_EQ(rm.status, 0);
  EXPECT_FALSE(stored("alice", "parley.test").has_value());
  CliResult rm2 = runc({"user", "remove", "alice@parley.test"});
  EXPECT_EQ(rm2.status, 1);
  EXPECT_THAT(rm2.err, HasSubstr("no user alice@parley.test"));
  EXPECT_EQ(runc({"user", "passwd", "carol@parley.test", "--password", "x"}).status, 1);
}

TEST_F(CliTest, UserImport) {
  const fs::path list = dir_ / "users.csv";
  std::ofstream(list) << "# bulk provisioning\n"
                      << "alice@parley.test,secret,Alice A.\n"
                      << "\n"
                      << "bob@example.org\tpw, with comma\r\n"
                      << "carol@parley.test,c3,Carol, Jr.\n";
  CliResult ok = runc({"user", "import", list.string()});
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(ok.out, "added 3 users\n");
  EXPECT_EQ(stored("alice", "parley.test")->display_name, "Alice A.");
  EXPECT_EQ(stored("alice", "parley.test")->ha1_md5,
            sip::auth::digest_ha1(sip::auth::Algorithm::Md5, "alice", "parley.test", "secret"));
  EXPECT_EQ(stored("bob", "example.org")->ha1_md5,
            sip::auth::digest_ha1(sip::auth::Algorithm::Md5, "bob", "example.org", "pw, with comma"));
  EXPECT_EQ(stored("carol", "parley.test")->display_name, "Carol, Jr.");
  EXPECT_EQ(stored("alice", "parley.test")->nt_hash, "878d8014606cda29677a44efa1353fc7");

  // All or nothing: dave is new but bob exists, so neither is added.
  CliResult dup = runc({"user", "import", "-"}, "dave@parley.test,d\nbob@example.org,x\n");
  EXPECT_EQ(dup.status, 1);
  EXPECT_THAT(dup.err, HasSubstr("line 2: user bob@example.org already exists; nothing was imported"));
  EXPECT_FALSE(stored("dave", "parley.test").has_value());

  CliResult foreign = runc({"user", "import", "-"}, "dave@parley.test,d\neve@evil.test,x\n");
  EXPECT_EQ(foreign.status, 2);
  EXPECT_THAT(foreign.err, HasSubstr("line 2: domain evil.test is not served here"));
  CliResult nopw = runc({"user", "import", "-"}, "dave@parley.test\n");
  EXPECT_EQ(nopw.status, 2);
  EXPECT_THAT(nopw.err, HasSubstr("line 1: expected AOR,password"));
  EXPECT_FALSE(stored("dave", "parley.test").has_value());
  EXPECT_EQ(runc({"user", "import", (dir_ / "absent.csv").string()}).status, 2);
}

TEST_F(CliTest, UserErrors) {
  CliResult foreign = runc({"user", "add", "eve@evil.test", "--password", "x"});
  EXPECT_EQ(foreign.status, 2);
  EXPECT_THAT(foreign.err, HasSubstr("domain evil.test is not served here"));

  CliResult bad = runc({"user", "add", "not-an-aor", "--password", "x"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_THAT(bad.err, HasSubstr("not an address of record"));

  CliResult empty = runc({"user", "add", "alice@parley.test", "--password", "-"}, "");
  EXPECT_EQ(empty.status, 2);
  EXPECT_THAT(empty.err, HasSubstr("password must not be empty"));

  CliResult missing = runc({"user", "add", "alice@parley.test"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.err, HasSubstr("--password"));

  CliResult nofile = run({"user", "list", "--config", (dir_ / "absent.toml").string()});
  EXPECT_EQ(nofile.status, 2);
  EXPECT_THAT(nofile.err, HasSubstr("absent.toml"));
}

TEST_F(CliTest, CertInit) {
  CliResult r = runc({"cert", "init"});
  ASSERT_EQ(r.status, 0) << r.err;
  fs::path pki = dir_ / "data" / "pki";
  EXPECT_THAT(r.out, HasSubstr("created CA certificate: " + (pki / "ca.crt").string()));
  EXPECT_THAT(r.out, HasSubstr("issued server certificate: " + (pki / "server.crt").string()));
  EXPECT_TRUE(fs::exists(pki / "server.key"));

  CliResult again = runc({"cert", "init"});
  EXPECT_EQ(again.status, 0);
  EXPECT_THAT(again.out, HasSubstr("kept CA certificate"));
  EXPECT_THAT(again.out, HasSubstr("kept server certificate"));
}

TEST_F(CliTest, Ports) {
  CliResult table = run({"ports"});
  EXPECT_EQ(table.status, 0);
  EXPECT_THAT(table.out, HasSubstr("[frontend.sip-tls]"));
  CliResult json = run({"ports", "--format", "json"});
  EXPECT_EQ(json.status, 0);
  EXPECT_EQ(json.out.front(), '{');
  EXPECT_THAT(json.out, HasSubstr("\"server_ports\":"));
  EXPECT_EQ(run({"ports", "--format", "xml"}).status, 2);
  EXPECT_EQ(run({"ports", "--role", "pbx"}).status, 2);

  CliResult csv = run({"ports", "--format", "csv", "--role", "director"});
  EXPECT_EQ(csv.status, 0);
  EXPECT_THAT(csv.out, HasSubstr("table,role,service,port,protocol,purpose,status,listen\r\n"));
  EXPECT_THAT(csv.out, HasSubstr("server,Director,Front-End service,5061,TCP,"));
  EXPECT_THAT(csv.out, HasSubstr("load-balancer,Director pool,dns,4443,HTTPS,from reverse proxy,"
                                 "not-in-topology,"));
  EXPECT_THAT(csv.out, ::testing::Not(HasSubstr("Front End /")));
  CliResult md = run({"ports", "--format", "markdown", "--topology"});
  EXPECT_EQ(md.status, 0);
  EXPECT_THAT(md.out, HasSubstr("| Front End | Front-End service | 5061 | TCP (TLS) |"));
  EXPECT_THAT(md.out, ::testing::Not(HasSubstr("| Director |")));
}

TEST_F(CliTest, PortsFollowTheConfiguredListeners) {
  std::ofstream(config_, std::ios::app)
      << "[listeners.\"frontend.sip-tls\"]\naddress = \"127.0.0.1\"\nport = 15061\n"
      << "[listeners.\"frontend.sip-udp\"]\nenabled = false\n";
  CliResult r = runc({"ports", "--format", "json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"listener\":\"frontend.sip-tls\",\"parley_extension\":false,"
                               "\"roles\":[\"front-end\"],\"status\":\"enabled\","
                               "\"enabled\":true,\"listen\":\"127.0.0.1:15061\""));
  EXPECT_THAT(r.out, HasSubstr("\"listener\":\"frontend.sip-udp\",\"parley_extension\":true,"
                               "\"roles\":[\"front-end\"],\"status\":\"disabled\""));
}

TEST_F(CliTest, Topology) {
  CliResult r = runc({"topology"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("Topology: Standard Edition\n"));
  EXPECT_THAT(r.out, HasSubstr("  roles: front-end\n"));
  EXPECT_THAT(r.out, HasSubstr("Central Management Store: on this server"));
  EXPECT_THAT(r.out, HasSubstr("enabled 0.0.0.0:5061 (frontend.sip-tls)"));
  EXPECT_THAT(r.out, HasSubstr("IM Conferencing service"));
  EXPECT_THAT(r.out, HasSubstr("3 listeners open for this topology."));

  std::ofstream(config_, std::ios::app)
      << "[topology]\nroles = [\"front-end\", \"edge\"]\nload_balancing = \"dns\"\n";
  r = runc({"topology"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("  roles: front-end, edge\n"));
  EXPECT_THAT(r.out, HasSubstr("load balancing: DNS"));
  EXPECT_THAT(r.out, HasSubstr("\nEdge Server\n"));
  EXPECT_THAT(r.out, HasSubstr("XMPP/TCP/5269"));
}

TEST_F(CliTest, Firewall) {
  CliResult r = runc({"firewall"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("table inet parley {"));
  EXPECT_THAT(r.out, HasSubstr("tcp dport 5061 accept comment \"Front End / Front-End service "
                               "5061 TCP (TLS)\""));
  r = runc({"firewall", "--target", "iptables", "--role", "edge", "--documented"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("*filter\n:INPUT DROP [0:0]\n"));
  EXPECT_THAT(r.out, HasSubstr("--dport 5269 "));
  EXPECT_EQ(runc({"firewall", "--target", "pf"}).status, 2);
  EXPECT_EQ(runc({"firewall", "--allow", "ssh"}).status, 2);
  CliResult clients = runc({"firewall", "--role", "clients"});
  EXPECT_EQ(clients.status, 2);
  EXPECT_THAT(clients.err, HasSubstr("client's own setup"));
}

TEST_F(CliTest, CheckNeedsAHostAndSomethingToCheck) {
  EXPECT_EQ(runc({"check"}).status, 2);
  std::ofstream(config_, std::ios::app) << "[topology]\nroles = [\"edge\"]\n";
  CliResult r = runc({"check", "127.0.0.1"});
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("nothing to check"));
}

}  // namespace
}  // namespace parley::app
