// Helpers for the transport tests: a throwaway certificate, plain POSIX and
// OpenSSL clients with deadlines (nothing here sleeps; every wait is bounded),
// and a sink that records what the transport layer delivers.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "net/transport_types.hpp"
#include "sip/peer.hpp"

namespace parley::net::test {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A fresh directory under the system temp dir, removed with its contents.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "parley-net-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Writes a self-signed P-256 certificate (CN=`cn`, SAN IP:127.0.0.1 and
// DNS:localhost, CA:TRUE so it can also serve as its own CA file) and its key.
inline void write_self_signed(const std::filesystem::path& cert_file,
                              const std::filesystem::path& key_file, const std::string& cn,
                              long serial) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  X509* x = X509_new();
  if (pkey == nullptr || x == nullptr) throw std::runtime_error("openssl: key or cert alloc");
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, pkey);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) throw std::runtime_error("openssl: extension");
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(x, pkey, EVP_sha256()) == 0) throw std::runtime_error("openssl: sign");
  FILE* f = std::fopen(cert_file.c_str(), "w");
  PEM_write_X509(f, x);
  std::fclose(f);
  f = std::fopen(key_file.c_str(), "w");
  PEM_write_PrivateKey(f, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(f);
  X509_free(x);
  EVP_PKEY_free(pkey);
}

// A SIP-looking request; `tag` goes in the Call-ID so messages can be told apart.
inline std::string sip_request(const std::string& tag, const std::string& transport = "TCP",
                               const std::string& body = {}) {
  std::string m = "MESSAGE sip:bob@parley.test SIP/2.0\r\n";
  m += "Via: SIP/2.0/" + transport + " 127.0.0.1:5060;branch=z9hG4bK" + tag + "\r\n";
  m += "From: <sip:alice@parley.test>;tag=1\r\nTo: <sip:bob@parley.test>\r\n";
  m += "Call-ID: " + tag + "\r\nCSeq: 1 MESSAGE\r\nMax-Forwards: 70\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  return m;
}

inline std::string sip_response(const std::string& tag) {
  return "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK" + tag +
         "\r\nCall-ID: " + tag + "\r\nCSeq: 1 MESSAGE\r\nContent-Length: 0\r\n\r\n";
}

inline int remaining_ms(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? static_cast<int>(left.count()) : 0;
}

inline std::uint16_t local_port(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

inline sockaddr_in loopback(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// A blocking TCP client on 127.0.0.1 with bounded reads.
class TcpClient {
 public:
  explicit TcpClient(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = loopback(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      throw std::runtime_error("connect failed");
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  explicit TcpClient(int accepted_fd) : fd_(accepted_fd) {}
  ~TcpClient() {
    if (fd_ >= 0) ::close(fd_);
  }
  TcpClient(const TcpClient&) = delete;
  TcpClient& operator=(const TcpClient&) = delete;

  int fd() const { return fd_; }
  std::uint16_t port() const { return local_port(fd_); }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads until `done(all bytes so far)` holds, EOF, or the timeout.
  std::string read_until(const std::function<bool(const std::string&)>& done,
                         std::chrono::milliseconds timeout = 3s) {
    auto deadline = Clock::now() + timeout;
    while (!done(received_)) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, remaining_ms(deadline)) <= 0) break;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return received_;
  }
  std::string read_bytes(std::size_t n, std::chrono::milliseconds timeout = 3s) {
    return read_until([n](const std::string& s) { return s.size() >= n; }, timeout);
  }
  std::string read_containing(const std::string& needle, std::chrono::milliseconds timeout = 3s) {
    return read_until(
        [&](const std::string& s) { return s.find(needle) != std::string::npos; }, timeout);
  }
  // True if the server closes the connection within the timeout.
  bool wait_closed(std::chrono::milliseconds timeout = 3s) {
    read_until([this](const std::string&) { return eof_; }, timeout);
    return eof_;
  }
  void clear() { received_.clear(); }

 private:
  int fd_ = -1;
  std::string received_;
  bool eof_ = false;
};

// A TCP listener on 127.0.0.1 for outbound-connection tests.
class TcpServer {
 public:
  TcpServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a = loopback(0);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(fd_, 8);
  }
  ~TcpServer() { ::close(fd_); }
  std::uint16_t port() const { return local_port(fd_); }
  // The next connection, or nullptr after the timeout.
  std::unique_ptr<TcpClient> accept(std::chrono::milliseconds timeout = 3s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return nullptr;
    int c = ::accept(fd_, nullptr, nullptr);
    return c < 0 ? nullptr : std::make_unique<TcpClient>(c);
  }

 private:
  int fd_ = -1;
};

// A UDP socket on 127.0.0.1.
class UdpClient {
 public:
  UdpClient() {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in a = loopback(0);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
  }
  ~UdpClient() { ::close(fd_); }
  std::uint16_t port() const { return local_port(fd_); }
  bool send_to(std::uint16_t port, std::string_view bytes) {
    sockaddr_in a = loopback(port);
    return ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a),
                    sizeof a) == static_cast<ssize_t>(bytes.size());
  }
  // One datagram and its source port, or nullopt-like empty string and 0.
  std::pair<std::string, std::uint16_t> receive(std::chrono::milliseconds timeout = 3s) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return {{}, 0};
    char buf[65536];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return {{}, 0};
    return {std::string(buf, static_cast<std::size_t>(n)), ntohs(from.sin_port)};
  }

 private:
  int fd_ = -1;
};

// An OpenSSL client over a TcpClient; optionally presents a certificate.
class TlsClient {
 public:
  explicit TlsClient(std::uint16_t port, const std::filesystem::path& cert = {},
                     const std::filesystem::path& key = {})
      : tcp_(port) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
    if (!cert.empty()) {
      SSL_CTX_use_certificate_chain_file(ctx_, cert.c_str());
      SSL_CTX_use_PrivateKey_file(ctx_, key.c_str(), SSL_FILETYPE_PEM);
    }
    ssl_ = SSL_new(ctx_);
    SSL_set_fd(ssl_, tcp_.fd());
    timeval tv{3, 0};  // bounds every blocking SSL call
    ::setsockopt(tcp_.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(tcp_.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  }
  ~TlsClient() {
    SSL_free(ssl_);
    SSL_CTX_free(ctx_);
    ERR_clear_error();
  }
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  bool handshake() { return SSL_connect(ssl_) == 1; }
  bool send(std::string_view bytes) {
    return SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size())) ==
           static_cast<int>(bytes.size());
  }
  std::string read_until(const std::function<bool(const std::string&)>& done,
                         std::chrono::milliseconds timeout = 3s) {
    auto deadline = Clock::now() + timeout;
    while (!done(received_)) {
      if (SSL_pending(ssl_) == 0) {
        pollfd p{tcp_.fd(), POLLIN, 0};
        if (::poll(&p, 1, remaining_ms(deadline)) <= 0) break;
      }
      char buf[4096];
      int n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) {
        eof_ = true;
        break;
      }
      received_.append(buf, static_cast<std::size_t>(n));
    }
    return received_;
  }
  std::string read_containing(const std::string& needle, std::chrono::milliseconds timeout = 3s) {
    return read_until(
        [&](const std::string& s) { return s.find(needle) != std::string::npos; }, timeout);
  }
  bool wait_closed(std::chrono::milliseconds timeout = 3s) {
    read_until([this](const std::string&) { return eof_; }, timeout);
    return eof_;
  }
  void clear() { received_.clear(); }

 private:
  TcpClient tcp_;
  SSL_CTX* ctx_ = nullptr;
  SSL* ssl_ = nullptr;
  std::string received_;
  bool eof_ = false;
};

// Records what a TransportLayer delivers; every wait is bounded.
class Sink {
 public:
  struct Received {
    std::string bytes;
    sip::Peer source;
    sip::Local local;
    std::thread::id thread;
  };

  MessageHandler message_handler() {
    return [this](std::string bytes, const sip::Peer& source, const sip::Local& local) {
      std::lock_guard lock(mu_);
      messages_.push_back(Received{std::move(bytes), source, local, std::this_thread::get_id()});
      cv_.notify_all();
    };
  }
  FlowClosedHandler flow_closed_handler() {
    return [this](sip::FlowId id) {
      std::lock_guard lock(mu_);
      closed_.push_back(id);
      cv_.notify_all();
    };
  }

  // Waits for at least `n` messages; returns a copy of the n-th (1-based), or
  // an empty record on timeout.
  Received wait_message(std::size_t n = 1, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return messages_.size() >= n; })) return {};
    return messages_[n - 1];
  }
  bool wait_closed(sip::FlowId id, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
      for (auto c : closed_) {
        if (c == id) return true;
      }
      return false;
    });
  }
  std::size_t message_count() {
    std::lock_guard lock(mu_);
    return messages_.size();
  }
  std::vector<sip::FlowId> closed() {
    std::lock_guard lock(mu_);
    return closed_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Received> messages_;
  std::vector<sip::FlowId> closed_;
};

// A SendDone whose outcome can be awaited.
class DoneProbe {
 public:
  SendDone callback() {
    auto p = promise_;
    return [p](bool ok) { p->set_value(ok); };
  }
  // 1 = ok, 0 = failed, -1 = not called within the timeout.
  int wait(std::chrono::milliseconds timeout = 3s) {
    if (future_.wait_for(timeout) != std::future_status::ready) return -1;
    return future_.get() ? 1 : 0;
  }

 private:
  std::shared_ptr<std::promise<bool>> promise_ = std::make_shared<std::promise<bool>>();
  std::future<bool> future_ = promise_->get_future();
};

inline std::uint16_t port_of(const std::vector<BoundListener>& bound, sip::Transport t) {
  for (const auto& b : bound) {
    if (b.transport == t) return b.port;
  }
  return 0;
}

}  // namespace parley::net::test
