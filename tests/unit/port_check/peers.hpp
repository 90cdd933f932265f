// Test peers for the port check: SIP responders over TCP, TLS and UDP on
// 127.0.0.1 (ports chosen by the kernel), each on its own io_context thread
// that the destructor stops and joins; a private CA; ports with nothing
// listening. Every wait here is bounded.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include <utility>  // before Boost 1.74's awaitable.hpp, which uses std::exchange without it

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "pki/certificate.hpp"
#include "sip/framing.hpp"
#include "sip/message.hpp"
#include "support/temp_dir.hpp"

namespace parley::check::test {

namespace asio = boost::asio;
using asio::awaitable;
using asio::ip::tcp;
using asio::ip::udp;
using boost::system::error_code;
using namespace std::chrono_literals;

using parley::test::TempDir;

// A private CA (pki/certificate.hpp) whose certificate is written to ca_file().
class TestCa {
 public:
  explicit TestCa(const std::string& name = "Parley Test CA")
      : key_(pki::generate_ec_key()),
        cert_(pki::issue_ca_certificate(key_.get(), name, std::chrono::days(3650))),
        file_(dir_.path() / "ca.crt") {
    pki::write_pem_file(file_, pki::certificate_pem(cert_.get()), 0644);
  }
  const std::filesystem::path& ca_file() const { return file_; }

  // A TLS server context with a certificate this CA issued for `names`.
  std::shared_ptr<asio::ssl::context> server_context(
      const std::vector<std::string>& names = {"localhost", "127.0.0.1"},
      std::chrono::days validity = std::chrono::days(365)) const {
    pki::PKeyPtr key = pki::generate_ec_key();
    pki::X509Ptr cert =
        pki::issue_server_certificate(key.get(), cert_.get(), key_.get(), names, validity);
    const std::string chain = pki::certificate_pem(cert.get()) + pki::certificate_pem(cert_.get());
    const std::string key_pem = pki::private_key_pem(key.get());
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    ctx->use_certificate_chain(asio::buffer(chain));
    ctx->use_private_key(asio::buffer(key_pem), asio::ssl::context::pem);
    return ctx;
  }

 private:
  TempDir dir_;
  pki::PKeyPtr key_;
  pki::X509Ptr cert_;
  std::filesystem::path file_;
};

// How a peer treats an OPTIONS.
enum class Behaviour {
  Answer200,  // 200 OK with a Server header
  Trying200,  // 100 Trying, then 200 OK (in separate writes / datagrams)
  Answer404,  // 404 Not Found
  Silent,     // reads anything, never answers, keeps the connection open
  Garbage,    // at once sends 1 MiB: a status line, then header lines forever
};

inline constexpr const char* kPeerServer = "test-peer/1.0";

inline std::vector<std::string> responses(Behaviour b, const sip::Message& request) {
  std::vector<std::string> out;
  auto answer = [&](int status) {
    sip::Message r = sip::Message::make_response(request, status, {}, "peer-tag");
    r.push_back(sip::HeaderId::Server, kPeerServer);
    out.push_back(r.serialize());
  };
  switch (b) {
    case Behaviour::Answer200:
      answer(200);
      break;
    case Behaviour::Trying200:
      out.push_back(sip::Message::make_response(request, 100).serialize());
      answer(200);
      break;
    case Behaviour::Answer404:
      answer(404);
      break;
    case Behaviour::Silent:
    case Behaviour::Garbage:
      break;
  }
  return out;
}

// Runs an io_context on its own thread; the subclass's sockets live on it.
class PeerThread {
 public:
  PeerThread() = default;
  ~PeerThread() { stop(); }
  PeerThread(const PeerThread&) = delete;
  PeerThread& operator=(const PeerThread&) = delete;

  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 protected:
  void start() {
    thread_ = std::thread([this] { io_.run(); });
  }
  void stop() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }
  void record(std::string request) {
    std::lock_guard lock(mutex_);
    requests_.push_back(std::move(request));
  }

  asio::io_context io_{1};

 private:
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
};

// A SIP responder over TCP or, with a TLS context, TLS; serves any number of
// connections.
class StreamPeer : public PeerThread {
 public:
  explicit StreamPeer(Behaviour behaviour, std::shared_ptr<asio::ssl::context> tls = nullptr)
      : behaviour_(behaviour),
        tls_(std::move(tls)),
        acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io_, accept_loop(), asio::detached);
    start();
  }
  ~StreamPeer() {
    stop();  // before the acceptor and the context go
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

 private:
  awaitable<void> accept_loop() {
    for (;;) {
      error_code ec;
      tcp::socket socket =
          co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  awaitable<void> serve(tcp::socket socket) {
    if (!tls_) {
      co_await session(socket);
      co_return;
    }
    asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
    error_code ec;
    co_await stream.async_handshake(asio::ssl::stream_base::server,
                                    asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_await session(stream);
  }

  template <class Stream>
  awaitable<void> session(Stream& stream) {
    error_code ec;
    if (behaviour_ == Behaviour::Garbage) {
      std::string junk = "SIP/2.0 200 OK\r\n";
      while (junk.size() < 1024 * 1024) junk += "X-Junk: 0123456789abcdefghijklmnopqrstuvwxyz\r\n";
      co_await asio::async_write(stream, asio::buffer(junk),
                                 asio::redirect_error(asio::use_awaitable, ec));
      co_return;
    }
    std::string buffer;
    std::array<char, 4096> chunk;
    for (;;) {
      std::size_t n = co_await stream.async_read_some(
          asio::buffer(chunk), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      if (behaviour_ == Behaviour::Silent && buffer.empty() && !sip::is_start_line_char(chunk[0])) {
        continue;  // not SIP (a TLS ClientHello): swallow it, answer nothing
      }
      buffer.append(chunk.data(), n);
      auto f = sip::find_message(buffer, 64 * 1024);
      if (std::holds_alternative<sip::frame::Error>(f)) co_return;
      const auto* c = std::get_if<sip::frame::Complete>(&f);
      if (c == nullptr) continue;
      std::string text = buffer.substr(c->offset, c->length);
      buffer.erase(0, c->consumed());
      record(text);
      auto parsed = sip::Message::parse(text);
      const auto* m = std::get_if<sip::Message>(&parsed);
      if (m == nullptr) co_return;
      for (const auto& r : responses(behaviour_, *m)) {
        co_await asio::async_write(stream, asio::buffer(r),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return;
      }
    }
  }

  Behaviour behaviour_;
  std::shared_ptr<asio::ssl::context> tls_;
  tcp::acceptor acceptor_;
};

// A SIP responder over UDP.
class DatagramPeer : public PeerThread {
 public:
  explicit DatagramPeer(Behaviour behaviour)
      : behaviour_(behaviour), socket_(io_, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    asio::co_spawn(io_, serve(), asio::detached);
    start();
  }
  ~DatagramPeer() { stop(); }
  std::uint16_t port() const { return socket_.local_endpoint().port(); }

 private:
  awaitable<void> serve() {
    std::array<char, 65536> buffer;
    for (;;) {
      udp::endpoint from;
      error_code ec;
      std::size_t n = co_await socket_.async_receive_from(
          asio::buffer(buffer), from, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) co_return;
      std::string text(buffer.data(), n);
      record(text);
      auto parsed = sip::Message::parse(text);
      const auto* m = std::get_if<sip::Message>(&parsed);
      if (m == nullptr) continue;
      for (const auto& r : responses(behaviour_, *m)) {
        co_await socket_.async_send_to(asio::buffer(r), from,
                                       asio::redirect_error(asio::use_awaitable, ec));
      }
    }
  }

  Behaviour behaviour_;
  udp::socket socket_;
};

// A port on 127.0.0.1 with nothing bound to it: bound (by the kernel's
// choice), then closed.
inline std::uint16_t unused_port(int type) {
  int fd = ::socket(AF_INET, type, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

// A listening TCP socket whose accept queue is full (backlog 0, one queued
// connection, never accepted): Linux drops further SYNs, so a connect to it
// gets no answer at all, the loopback stand-in for a filtering firewall.
class FullBacklog {
 public:
  FullBacklog() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::listen(listener_, 0);
    socklen_t len = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    filler_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ::connect(filler_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    pollfd p{filler_, POLLOUT, 0};
    ::poll(&p, 1, 1000);
  }
  ~FullBacklog() {
    ::close(filler_);
    ::close(listener_);
  }
  FullBacklog(const FullBacklog&) = delete;
  FullBacklog& operator=(const FullBacklog&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  int filler_ = -1;
  std::uint16_t port_ = 0;
};

}  // namespace parley::check::test
