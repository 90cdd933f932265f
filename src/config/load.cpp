// config::load: defaults, then the TOML file (etc/parley.toml documents every key).
//
// Every key is checked: an unknown key, a value of the wrong type or out of range is
// a ConfigError "<file>:<line>: <key>: <what>". Relative paths (data_dir, tls.*)
// are kept relative, i.e. they are relative to the working directory of the
// process, not to the file.
#include <arpa/inet.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <set>

#include "config/config.hpp"
#include "topology/listeners.hpp"

namespace parley::config {
namespace {

constexpr std::string_view kLogLevels[] = {"trace", "debug",    "info", "warn",
                                           "error", "critical", "off"};
constexpr unsigned kMaxWorkers = 1024;

// Reports errors against one file.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void fail(const toml::source_region& where, std::string_view key,
                         std::string_view what) const {
    std::string msg = file_;
    if (where.begin.line != 0) msg += ":" + std::to_string(where.begin.line);
    msg += ": ";
    if (!key.empty()) {
      msg += key;
      msg += ": ";
    }
    msg += what;
    throw ConfigError(msg);
  }

  // Calls `fn(name, node, dotted_name)` for each entry of `table`; an entry
  // whose name is not in `known` is an error at the key's line.
  template <class Fn>
  void each(const toml::table& table, std::string_view prefix,
            std::initializer_list<std::string_view> known, Fn&& fn) const {
    for (auto&& [k, v] : table) {
      std::string dotted =
          prefix.empty() ? std::string(k.str()) : std::string(prefix) + "." + std::string(k.str());
      if (std::find(known.begin(), known.end(), k.str()) == known.end()) {
        fail(k.source(), dotted, "unknown key");
      }
      fn(k.str(), v, dotted);
    }
  }

  const toml::table& table(const toml::node& v, std::string_view key) const {
    if (const auto* t = v.as_table()) return *t;
    fail(v.source(), key, "expected a table");
  }

  std::string string(const toml::node& v, std::string_view key) const {
    if (const auto* s = v.as_string()) return s->get();
    fail(v.source(), key, "expected a string");
  }

  bool boolean(const toml::node& v, std::string_view key) const {
    if (const auto* b = v.as_boolean()) return b->get();
    fail(v.source(), key, "expected true or false");
  }

  std::int64_t integer(const toml::node& v, std::string_view key, std::int64_t lo,
                       std::int64_t hi) const {
    const auto* i = v.as_integer();
    if (i == nullptr) fail(v.source(), key, "expected an integer");
    std::int64_t x = i->get();
    if (x < lo || x > hi) {
      fail(v.source(), key, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    return x;
  }

  std::string address(const toml::node& v, std::string_view key) const {
    std::string s = string(v, key);
    unsigned char buf[16];
    if (inet_pton(AF_INET, s.c_str(), buf) != 1 && inet_pton(AF_INET6, s.c_str(), buf) != 1) {
      fail(v.source(), key, "expected a numeric IPv4 or IPv6 address, got \"" + s + "\"");
    }
    return s;
  }

  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool valid_domain(std::string_view d) {
  if (d.empty() || d.size() > 253 || d.front() == '.' || d.back() == '.') return false;
  return std::all_of(d.begin(), d.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_';
  });
}

void read_server(const Reader& r, const toml::table& t, Config& cfg) {
  r.each(
      t, "server", {"domains", "fqdn", "data_dir", "log_level", "workers", "default_address"},
      [&](std::string_view name, const toml::node& v, const std::string& key) {
        if (name == "domains") {
          const auto* arr = v.as_array();
          if (arr == nullptr) r.fail(v.source(), key, "expected an array of strings");
          std::vector<std::string> domains;
          for (const auto& item : *arr) {
            std::string d = lower(r.string(item, key));
            if (!valid_domain(d)) r.fail(item.source(), key, "invalid domain \"" + d + "\"");
            if (std::find(domains.begin(), domains.end(), d) != domains.end()) {
              r.fail(item.source(), key, "domain \"" + d + "\" listed twice");
            }
            domains.push_back(std::move(d));
          }
          if (domains.empty()) r.fail(v.source(), key, "at least one domain is required");
          cfg.domains = std::move(domains);
        } else if (name == "fqdn") {
          std::string f = lower(r.string(v, key));
          if (!valid_domain(f)) r.fail(v.source(), key, "invalid host name \"" + f + "\"");
          cfg.fqdn = std::move(f);
        } else if (name == "data_dir") {
          std::string d = r.string(v, key);
          if (d.empty()) r.fail(v.source(), key, "must not be empty");
          cfg.data_dir = d;
        } else if (name == "log_level") {
          std::string l = lower(r.string(v, key));
          if (std::find(std::begin(kLogLevels), std::end(kLogLevels), l) == std::end(kLogLevels)) {
            r.fail(v.source(), key,
                   "expected one of trace, debug, info, warn, error, critical, off");
          }
          cfg.log_level = std::move(l);
        } else if (name == "workers") {
          cfg.workers = static_cast<unsigned>(r.integer(v, key, 0, kMaxWorkers));
        } else if (name == "default_address") {
          cfg.default_address = r.address(v, key);
        }
      });
}

void read_tls(const Reader& r, const toml::table& t, Config& cfg) {
  r.each(t, "tls", {"cert", "key", "ca", "verify_client"},
         [&](std::string_view name, const toml::node& v, const std::string& key) {
           if (name == "verify_client") {
             cfg.tls.verify_client = r.boolean(v, key);
             return;
           }
           std::filesystem::path p = r.string(v, key);
           if (name == "cert") cfg.tls.cert = p;
           if (name == "key") cfg.tls.key = p;
           if (name == "ca") cfg.tls.ca = p;
         });
}

void read_limits(const Reader& r, const toml::table& t, Limits& l) {
  constexpr std::int64_t kMaxCount = std::numeric_limits<std::int32_t>::max();
  constexpr std::int64_t kMaxSeconds = 365LL * 24 * 3600;
  r.each(t, "limits",
         {"max_message_size", "max_header_count", "max_connections", "max_connections_per_ip",
          "tcp_idle_timeout", "tls_handshake_timeout", "message_timeout", "unauthenticated_limit",
          "throttle_time", "min_expires", "max_expires",
          "default_expires", "nonce_lifetime"},
         [&](std::string_view name, const toml::node& v, const std::string& key) {
           auto count = [&] { return static_cast<std::size_t>(r.integer(v, key, 1, kMaxCount)); };
           auto seconds = [&] { return std::chrono::seconds(r.integer(v, key, 1, kMaxSeconds)); };
           auto expires = [&] {
             return static_cast<std::uint32_t>(r.integer(v, key, 1, kMaxSeconds));
           };
           if (name == "max_message_size")
             l.max_message_size = count();
           else if (name == "max_header_count")
             l.max_header_count = count();
           else if (name == "max_connections")
             l.max_connections = count();
           else if (name == "max_connections_per_ip")
             l.max_connections_per_ip = count();
           else if (name == "tcp_idle_timeout")
             l.tcp_idle_timeout = seconds();
           else if (name == "tls_handshake_timeout")
             l.tls_handshake_timeout = seconds();
           else if (name == "message_timeout")
             l.message_timeout = seconds();
           else if (name == "unauthenticated_limit")
             l.unauthenticated_limit = static_cast<std::uint32_t>(r.integer(v, key, 0, kMaxCount));
           else if (name == "throttle_time")
             l.throttle_time = seconds();
           else if (name == "min_expires")
             l.min_expires = expires();
           else if (name == "max_expires")
             l.max_expires = expires();
           else if (name == "default_expires")
             l.default_expires = expires();
           else if (name == "nonce_lifetime")
             l.nonce_lifetime = seconds();
         });
  if (l.min_expires > l.max_expires) {
    r.fail(t.source(), "limits", "min_expires is greater than max_expires");
  }
  if (l.default_expires < l.min_expires || l.default_expires > l.max_expires) {
    r.fail(t.source(), "limits", "default_expires must lie between min_expires and max_expires");
  }
}

void read_listeners(const Reader& r, const toml::table& t, Config& cfg) {
  for (auto&& [k, v] : t) {
    std::string name(k.str());
    std::string prefix = "listeners.\"" + name + "\"";
    if (topology::find_listener(name) == nullptr) {
      std::string known;
      for (const auto& def : topology::listener_defs()) {
        if (!known.empty()) known += ", ";
        known += def.key;
      }
      r.fail(k.source(), prefix, "unknown listener (known: " + known + ")");
    }
    ListenerOverride ov;
    r.each(r.table(v, prefix), prefix, {"address", "port", "enabled"},
           [&](std::string_view field, const toml::node& fv, const std::string& key) {
             if (field == "address")
               ov.address = r.address(fv, key);
             else if (field == "port")
               ov.port = static_cast<std::uint16_t>(r.integer(fv, key, 0, 65535));
             else if (field == "enabled")
               ov.enabled = r.boolean(fv, key);
           });
    cfg.listeners[name] = ov;
  }
}

// Two enabled listeners of the same socket kind on the same address and port
// cannot both bind; port 0 (kernel's choice) never conflicts.
void check_listener_conflicts(const Config& cfg, const std::string& file) {
  auto specs = topology::listener_specs(cfg);
  for (std::size_t i = 0; i < specs.size(); ++i) {
    for (std::size_t j = i + 1; j < specs.size(); ++j) {
      const auto& a = specs[i];
      const auto& b = specs[j];
      bool a_udp = a.transport == sip::Transport::Udp;
      bool b_udp = b.transport == sip::Transport::Udp;
      if (a.port != 0 && a.port == b.port && a.address == b.address && a_udp == b_udp) {
        throw ConfigError(file + ": listeners " + a.key + " and " + b.key + " both bind " +
                          (a_udp ? "UDP " : "TCP ") + topology::format_endpoint(a.address, a.port));
      }
    }
  }
}

// [topology] roles, collocated_mediation, load_balancing: read together, since the
// roles decide what the other two may be.
void read_topology(const Reader& r, const toml::table& t, Config& cfg) {
  std::vector<std::string> roles{"standard-edition"};
  bool collocated = true;
  std::optional<topology::LoadBalancing> lb;
  r.each(t, "topology", {"roles", "collocated_mediation", "load_balancing"},
         [&](std::string_view name, const toml::node& v, const std::string& key) {
           if (name == "roles") {
             const auto* arr = v.as_array();
             if (arr == nullptr) r.fail(v.source(), key, "expected an array of strings");
             roles.clear();
             for (const auto& item : *arr) roles.push_back(lower(r.string(item, key)));
           } else if (name == "collocated_mediation") {
             collocated = r.boolean(v, key);
           } else if (name == "load_balancing") {
             std::string mode = lower(r.string(v, key));
             if (mode == "dns") {
               lb = topology::LoadBalancing::Dns;
             } else if (mode == "hardware") {
               lb = topology::LoadBalancing::HardwareOnly;
             } else if (mode != "none") {
               r.fail(v.source(), key, "expected \"none\", \"dns\" or \"hardware\"");
             }
           }
         });
  try {
    cfg.topology = topology::make_topology(roles, collocated, lb);
  } catch (const std::invalid_argument& e) {
    r.fail(t.source(), "topology", e.what());
  }
}

void read_auth(const Reader& r, const toml::table& t, Config& cfg) {
  r.each(t, "auth", {"digest_algorithms"},
         [&](std::string_view, const toml::node& v, const std::string& key) {
           const auto* arr = v.as_array();
           if (arr == nullptr) r.fail(v.source(), key, "expected an array of strings");
           std::vector<std::string> algorithms;
           for (const auto& item : *arr) {
             std::string a = r.string(item, key);
             if (a != "MD5" && a != "SHA-256")
               r.fail(item.source(), key, "expected \"MD5\" or \"SHA-256\", got \"" + a + "\"");
             if (std::find(algorithms.begin(), algorithms.end(), a) != algorithms.end())
               r.fail(item.source(), key, "\"" + a + "\" listed twice");
             algorithms.push_back(std::move(a));
           }
           if (algorithms.empty()) r.fail(v.source(), key, "at least one algorithm is required");
           cfg.auth.digest_algorithms = std::move(algorithms);
         });
}

void apply(const toml::table& root, const std::string& file, Config& cfg) {
  Reader r(file);
  r.each(root, "", {"server", "tls", "auth", "limits", "listeners", "topology"},
         [&](std::string_view name, const toml::node& v, const std::string& key) {
           const toml::table& t = r.table(v, key);
           if (name == "server")
             read_server(r, t, cfg);
           else if (name == "tls")
             read_tls(r, t, cfg);
           else if (name == "auth")
             read_auth(r, t, cfg);
           else if (name == "limits")
             read_limits(r, t, cfg.limits);
           else if (name == "listeners")
             read_listeners(r, t, cfg);
           else if (name == "topology")
             read_topology(r, t, cfg);
         });
}

void fill_tls_defaults(Config& cfg) {
  if (cfg.tls.cert.empty()) cfg.tls.cert = cfg.pki_dir() / "server.crt";
  if (cfg.tls.key.empty()) cfg.tls.key = cfg.pki_dir() / "server.key";
  if (cfg.tls.ca.empty()) cfg.tls.ca = cfg.pki_dir() / "ca.crt";
}

}  // namespace

Config load(const std::optional<std::filesystem::path>& file) {
  Config cfg;
  std::string name = file ? file->string() : std::string("<defaults>");
  if (file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*file, ec)) {
      throw ConfigError(name + ": cannot read the configuration file (no such file)");
    }
    toml::table root;
    try {
      root = toml::parse_file(name);
    } catch (const toml::parse_error& e) {
      const auto& where = e.source().begin;
      throw ConfigError(name + ":" + std::to_string(where.line) + ":" +
                        std::to_string(where.column) + ": " + std::string(e.description()));
    }
    apply(root, name, cfg);
  }
  fill_tls_defaults(cfg);
  check_listener_conflicts(cfg, name);
  return cfg;
}

}  // namespace parley::config
