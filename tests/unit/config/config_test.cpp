#include "config/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace parley::config {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

class ConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/parley-config-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(std::string_view text) {
    fs::path p = dir_ / "parley.toml";
    std::ofstream(p) << text;
    return p;
  }

  // The ConfigError message loading `text` produces ("" if none).
  std::string error_of(std::string_view text) {
    try {
      load(write(text));
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

TEST(ConfigDefaults, WithoutFile) {
  Config cfg = load(std::nullopt);
  EXPECT_EQ(cfg.domains, std::vector<std::string>{"parley.test"});
  EXPECT_EQ(cfg.fqdn, "localhost");
  EXPECT_EQ(cfg.data_dir, fs::path("data"));
  EXPECT_EQ(cfg.log_level, "info");
  EXPECT_EQ(cfg.workers, 0u);
  EXPECT_EQ(cfg.default_address, "0.0.0.0");
  EXPECT_TRUE(cfg.listeners.empty());
  EXPECT_EQ(cfg.tls.cert, fs::path("data/pki/server.crt"));
  EXPECT_EQ(cfg.tls.key, fs::path("data/pki/server.key"));
  EXPECT_EQ(cfg.tls.ca, fs::path("data/pki/ca.crt"));
  EXPECT_FALSE(cfg.tls.verify_client);
  EXPECT_EQ(cfg.limits.max_message_size, 65535u);
  EXPECT_EQ(cfg.database_path(), fs::path("data/parley.db"));
}

TEST(ConfigDefaults, IsLocalDomainIgnoresCase) {
  Config cfg;
  cfg.domains = {"parley.test", "example.org"};
  EXPECT_TRUE(cfg.is_local_domain("parley.test"));
  EXPECT_TRUE(cfg.is_local_domain("PARLEY.Test"));
  EXPECT_TRUE(cfg.is_local_domain("Example.ORG."));
  EXPECT_FALSE(cfg.is_local_domain("parley.test.evil"));
  EXPECT_FALSE(cfg.is_local_domain("arley.test"));
  EXPECT_FALSE(cfg.is_local_domain(""));
  EXPECT_FALSE(cfg.is_local_domain("."));
}

TEST_F(ConfigFile, EveryKey) {
  Config cfg = load(write(R"(
[server]
domains = ["Parley.Test", "example.org"]
fqdn = "sip.parley.test"
data_dir = "/var/lib/parley"
log_level = "debug"
workers = 4
default_address = "127.0.0.1"

[tls]
cert = "/etc/parley/cert.pem"
key = "/etc/parley/key.pem"
ca = "/etc/parley/ca.pem"
verify_client = true

[limits]
max_message_size = 8192
max_header_count = 100
max_connections = 10
max_connections_per_ip = 5
tcp_idle_timeout = 30
tls_handshake_timeout = 3
message_timeout = 4
unauthenticated_limit = 7
throttle_time = 9
min_expires = 30
max_expires = 600
default_expires = 300
nonce_lifetime = 60

[listeners."frontend.sip-tls"]
address = "::1"
port = 0

[listeners."frontend.sip-udp"]
enabled = false
)"));
  EXPECT_EQ(cfg.domains, (std::vector<std::string>{"parley.test", "example.org"}));
  EXPECT_EQ(cfg.fqdn, "sip.parley.test");
  EXPECT_EQ(cfg.data_dir, fs::path("/var/lib/parley"));
  EXPECT_EQ(cfg.log_level, "debug");
  EXPECT_EQ(cfg.workers, 4u);
  EXPECT_EQ(cfg.default_address, "127.0.0.1");
  EXPECT_EQ(cfg.tls.cert, fs::path("/etc/parley/cert.pem"));
  EXPECT_EQ(cfg.tls.key, fs::path("/etc/parley/key.pem"));
  EXPECT_EQ(cfg.tls.ca, fs::path("/etc/parley/ca.pem"));
  EXPECT_TRUE(cfg.tls.verify_client);
  EXPECT_EQ(cfg.limits.max_message_size, 8192u);
  EXPECT_EQ(cfg.limits.max_header_count, 100u);
  EXPECT_EQ(cfg.limits.max_connections, 10u);
  EXPECT_EQ(cfg.limits.max_connections_per_ip, 5u);
  EXPECT_EQ(cfg.limits.tcp_idle_timeout, std::chrono::seconds(30));
  EXPECT_EQ(cfg.limits.tls_handshake_timeout, std::chrono::seconds(3));
  EXPECT_EQ(cfg.limits.message_timeout, std::chrono::seconds(4));
  EXPECT_EQ(cfg.limits.unauthenticated_limit, 7u);
  EXPECT_EQ(cfg.limits.throttle_time, std::chrono::seconds(9));
  EXPECT_EQ(cfg.limits.min_expires, 30u);
  EXPECT_EQ(cfg.limits.max_expires, 600u);
  EXPECT_EQ(cfg.limits.default_expires, 300u);
  EXPECT_EQ(cfg.limits.nonce_lifetime, std::chrono::seconds(60));

  ASSERT_EQ(cfg.listeners.size(), 2u);
  const auto& tls = cfg.listeners.at("frontend.sip-tls");
  EXPECT_EQ(tls.address, "::1");
  EXPECT_EQ(tls.port, 0);
  EXPECT_FALSE(tls.enabled.has_value());
  const auto& udp = cfg.listeners.at("frontend.sip-udp");
  EXPECT_EQ(udp.enabled, false);
  EXPECT_FALSE(udp.port.has_value());
  EXPECT_TRUE(cfg.is_local_domain("PARLEY.test"));
}

TEST_F(ConfigFile, TlsPathsDefaultUnderDataDir) {
  Config cfg = load(write("[server]\ndata_dir = \"srv/parley\"\n[tls]\ncert = \"my.crt\"\n"));
  EXPECT_EQ(cfg.tls.cert, fs::path("my.crt"));
  EXPECT_EQ(cfg.tls.key, fs::path("srv/parley/pki/server.key"));
  EXPECT_EQ(cfg.tls.ca, fs::path("srv/parley/pki/ca.crt"));
  // Relative data_dir stays relative to the working directory.
  EXPECT_EQ(cfg.data_dir, fs::path("srv/parley"));
}

TEST_F(ConfigFile, EmptyFileGivesDefaults) {
  Config cfg = load(write("# nothing\n"));
  EXPECT_EQ(cfg.domains, std::vector<std::string>{"parley.test"});
  EXPECT_EQ(cfg.tls.cert, fs::path("data/pki/server.crt"));
}

TEST_F(ConfigFile, UnknownKeysAreErrorsWithLine) {
  EXPECT_THAT(error_of("[server]\nfqdn = \"a.b\"\nfdqn = \"x\"\n"),
              HasSubstr("parley.toml:3: server.fdqn: unknown key"));
  EXPECT_THAT(error_of("\n[bogus]\nx = 1\n"), HasSubstr("parley.toml:2: bogus: unknown key"));
  EXPECT_THAT(error_of("[limits]\n\nmax_msg = 1\n"), HasSubstr(":3: limits.max_msg: unknown key"));
  EXPECT_THAT(error_of("[tls]\nverify = true\n"), HasSubstr(":2: tls.verify: unknown key"));
  EXPECT_THAT(error_of("[listeners.\"frontend.sip-tls\"]\nadress = \"::1\"\n"),
              HasSubstr(":2: listeners.\"frontend.sip-tls\".adress: unknown key"));
}

TEST_F(ConfigFile, UnknownListenerIsAnError) {
  std::string e = error_of("[server]\n[listeners.\"frontend.sip-wss\"]\nport = 1\n");
  EXPECT_THAT(e, HasSubstr("parley.toml:2: listeners.\"frontend.sip-wss\": unknown listener"));
  EXPECT_THAT(e, HasSubstr("frontend.sip-tls"));
}

TEST_F(ConfigFile, WrongTypesAndRanges) {
  EXPECT_THAT(error_of("[server]\ndomains = \"parley.test\"\n"),
              HasSubstr(":2: server.domains: expected an array of strings"));
  EXPECT_THAT(error_of("[server]\ndomains = []\n"), HasSubstr("at least one domain"));
  EXPECT_THAT(error_of("[server]\ndomains = [\"a b\"]\n"), HasSubstr("invalid domain"));
  EXPECT_THAT(error_of("[server]\ndomains = [\"a.b\", \"A.B\"]\n"), HasSubstr("listed twice"));
  EXPECT_THAT(error_of("[server]\nworkers = -1\n"),
              HasSubstr(":2: server.workers: must be between 0"));
  EXPECT_THAT(error_of("[server]\nworkers = \"4\"\n"), HasSubstr("expected an integer"));
  EXPECT_THAT(error_of("[server]\nlog_level = \"loud\"\n"),
              HasSubstr("server.log_level: expected one of"));
  EXPECT_THAT(error_of("[server]\ndefault_address = \"localhost\"\n"),
              HasSubstr("expected a numeric IPv4 or IPv6 address"));
  EXPECT_THAT(error_of("[listeners.\"frontend.sip-tcp\"]\nport = 70000\n"),
              HasSubstr(":2: listeners.\"frontend.sip-tcp\".port: must be between 0 and 65535"));
  EXPECT_THAT(error_of("[listeners.\"frontend.sip-tcp\"]\nenabled = 1\n"),
              HasSubstr("expected true or false"));
  EXPECT_THAT(error_of("[limits]\ntcp_idle_timeout = 0\n"), HasSubstr("limits.tcp_idle_timeout"));
  EXPECT_THAT(error_of("[limits]\nmin_expires = 100\nmax_expires = 50\ndefault_expires = 60\n"),
              HasSubstr("min_expires is greater than max_expires"));
  EXPECT_THAT(error_of("[limits]\ndefault_expires = 10\n"), HasSubstr("default_expires must lie"));
  EXPECT_THAT(error_of("server = 1\n"), HasSubstr(":1: server: expected a table"));
}

TEST_F(ConfigFile, DigestAlgorithms) {
  EXPECT_EQ(load(std::nullopt).auth.digest_algorithms, std::vector<std::string>{"MD5"});
  Config cfg = load(write("[auth]\ndigest_algorithms = [\"SHA-256\", \"MD5\"]\n"));
  EXPECT_EQ(cfg.auth.digest_algorithms, (std::vector<std::string>{"SHA-256", "MD5"}));
  EXPECT_THAT(error_of("[auth]\ndigest_algorithms = [\"SHA-1\"]\n"),
              HasSubstr(":2: auth.digest_algorithms: expected \"MD5\" or \"SHA-256\""));
  EXPECT_THAT(error_of("[auth]\ndigest_algorithms = []\n"), HasSubstr("at least one algorithm"));
  EXPECT_THAT(error_of("[auth]\ndigest_algorithms = [\"MD5\", \"MD5\"]\n"),
              HasSubstr("listed twice"));
}

TEST_F(ConfigFile, SyntaxErrorHasLineAndColumn) {
  EXPECT_THAT(error_of("[server]\nfqdn = \n"), HasSubstr("parley.toml:2:"));
}

TEST_F(ConfigFile, MissingFile) {
  try {
    load(dir_ / "absent.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_THAT(e.what(), HasSubstr("absent.toml: cannot read"));
  }
}

TEST_F(ConfigFile, ConflictingListeners) {
  EXPECT_THAT(
      error_of("[listeners.\"frontend.sip-tcp\"]\nport = 5061\n"),
      HasSubstr("listeners frontend.sip-tcp and frontend.sip-tls both bind TCP 0.0.0.0:5061"));
  // UDP and TCP may share a port; port 0 never conflicts.
  EXPECT_EQ(error_of("[listeners.\"frontend.sip-udp\"]\nport = 5061\n"), "");
  EXPECT_EQ(error_of("[listeners.\"frontend.sip-tcp\"]\nport = "
                     "0\n[listeners.\"frontend.sip-tls\"]\nport = 0\n"),
            "");
  // A disabled listener does not conflict.
  EXPECT_EQ(error_of("[listeners.\"frontend.sip-tcp\"]\nport = "
                     "5061\n[listeners.\"frontend.sip-tls\"]\nenabled = false\n"),
            "");
}

}  // namespace
}  // namespace parley::config

namespace parley::config {
namespace {

// The commented sample in etc/ loads and states exactly the defaults.
TEST(SampleFile, LoadsAndMatchesTheDefaults) {
  std::filesystem::path sample =
      std::filesystem::path(PARLEY_SOURCE_DIR) / "etc" / "parley.toml";
  Config cfg = load(sample);
  Config def = load(std::nullopt);
  EXPECT_EQ(cfg.domains, def.domains);
  EXPECT_EQ(cfg.fqdn, def.fqdn);
  EXPECT_EQ(cfg.data_dir, def.data_dir);
  EXPECT_EQ(cfg.log_level, def.log_level);
  EXPECT_EQ(cfg.workers, def.workers);
  EXPECT_EQ(cfg.default_address, def.default_address);
  EXPECT_EQ(cfg.tls.cert, def.tls.cert);
  EXPECT_EQ(cfg.tls.key, def.tls.key);
  EXPECT_EQ(cfg.tls.ca, def.tls.ca);
  EXPECT_EQ(cfg.tls.verify_client, def.tls.verify_client);
  EXPECT_EQ(cfg.auth.digest_algorithms, def.auth.digest_algorithms);
  const Limits& a = cfg.limits;
  const Limits& b = def.limits;
  EXPECT_EQ(a.max_message_size, b.max_message_size);
  EXPECT_EQ(a.max_header_count, b.max_header_count);
  EXPECT_EQ(a.max_connections, b.max_connections);
  EXPECT_EQ(a.max_connections_per_ip, b.max_connections_per_ip);
  EXPECT_EQ(a.tcp_idle_timeout, b.tcp_idle_timeout);
  EXPECT_EQ(a.tls_handshake_timeout, b.tls_handshake_timeout);
  EXPECT_EQ(a.message_timeout, b.message_timeout);
  EXPECT_EQ(a.unauthenticated_limit, b.unauthenticated_limit);
  EXPECT_EQ(a.throttle_time, b.throttle_time);
  EXPECT_EQ(a.min_expires, b.min_expires);
  EXPECT_EQ(a.max_expires, b.max_expires);
  EXPECT_EQ(a.default_expires, b.default_expires);
  EXPECT_EQ(a.nonce_lifetime, b.nonce_lifetime);
  // The listener tables are commented out: the catalogue's defaults apply.
  EXPECT_TRUE(cfg.listeners.empty());
  // [topology] as shipped is the default: a Standard Edition server.
  EXPECT_TRUE(cfg.topology.standard_edition);
  EXPECT_EQ(cfg.topology.roles, def.topology.roles);
  EXPECT_EQ(cfg.topology.collocated_mediation, def.topology.collocated_mediation);
  EXPECT_FALSE(cfg.topology.load_balancing.has_value());
}

TEST(ConfigDefaults, StandardEditionTopology) {
  Config cfg = load(std::nullopt);
  EXPECT_TRUE(cfg.topology.standard_edition);
  EXPECT_EQ(cfg.topology.roles, std::vector<topology::Role>{topology::Role::FrontEnd});
  EXPECT_TRUE(cfg.topology.central_management_store);
  EXPECT_TRUE(cfg.topology.collocated_mediation);
  EXPECT_FALSE(cfg.topology.load_balancing.has_value());
}

TEST_F(ConfigFile, Topology) {
  Config cfg = load(write("[topology]\nroles = [\"front-end\", \"Edge\", \"director\"]\n"
                          "collocated_mediation = false\nload_balancing = \"dns\"\n"));
  EXPECT_FALSE(cfg.topology.standard_edition);
  using topology::Role;
  EXPECT_EQ(cfg.topology.roles, (std::vector<Role>{Role::FrontEnd, Role::Director, Role::Edge}));
  EXPECT_FALSE(cfg.topology.collocated_mediation);
  EXPECT_FALSE(cfg.topology.central_management_store);
  EXPECT_EQ(cfg.topology.load_balancing, topology::LoadBalancing::Dns);

  Config edge = load(write("[topology]\nroles = [\"edge\"]\n"));
  EXPECT_EQ(edge.topology.roles, std::vector<Role>{Role::Edge});
  EXPECT_FALSE(edge.topology.runs(Role::FrontEnd));
}

TEST_F(ConfigFile, TopologyErrors) {
  EXPECT_THAT(error_of("[topology]\nroles = [\"pbx\"]\n"),
              HasSubstr("parley.toml:1: topology: unknown server role \"pbx\""));
  EXPECT_THAT(error_of("[topology]\nroles = []\n"), HasSubstr("at least one role"));
  EXPECT_THAT(error_of("[topology]\nroles = [\"standard-edition\", \"front-end\"]\n"),
              HasSubstr("Enterprise Edition pool"));
  EXPECT_THAT(error_of("[topology]\nload_balancing = \"dns\"\n"),
              HasSubstr("not a pool"));
  EXPECT_THAT(error_of("[topology]\nload_balancing = \"round-robin\"\n"),
              HasSubstr("topology.load_balancing: expected \"none\", \"dns\" or \"hardware\""));
  EXPECT_THAT(error_of("[topology]\nroles = [\"reverse-proxy\"]\n"),
              HasSubstr("unknown server role \"reverse-proxy\""));
  EXPECT_THAT(error_of("[topology]\nrole = \"edge\"\n"), HasSubstr("topology.role: unknown key"));
}

}  // namespace
}  // namespace parley::config
