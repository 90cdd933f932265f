// Fakes and message builders shared by the transaction layer's tests.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "base/timer.hpp"
#include "sip/message.hpp"
#include "sip/peer.hpp"
#include "sip/transaction/transaction_layer.hpp"

namespace parley::sip::test {

using base::Millis;

inline Message parse_or_fail(std::string text) {
  auto r = Message::parse(std::move(text));
  if (auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << "parse failed: " << e->reason;
    return Message{};
  }
  return std::get<Message>(std::move(r));
}

// What a message looks like after a trip over the wire.
inline Message wire(const Message& m) { return parse_or_fail(m.serialize()); }

// A request as raw SIP text.
struct Req {
  std::string method = "INVITE";
  std::string ruri = "sip:bob@biloxi.example.com";
  std::string via = "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds";
  std::string from = "Alice <sip:alice@atlanta.example.com>;tag=1928301774";
  std::string to = "Bob <sip:bob@biloxi.example.com>";
  std::string call_id = "a84b4c76e66710@pc33.atlanta.example.com";
  unsigned cseq = 314159;
  std::string cseq_method;  // defaults to `method`
  std::vector<std::string> extra;  // more header lines

  Req& with_method(std::string m) {
    method = std::move(m);
    return *this;
  }
  Req& with_ruri(std::string u) {
    ruri = std::move(u);
    return *this;
  }
  Req& with_header(std::string line) {
    extra.push_back(std::move(line));
    return *this;
  }
  Req& with_branch(const std::string& b) {
    via = "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=" + b;
    return *this;
  }
  std::string text() const {
    std::string t = method + " " + ruri + " SIP/2.0\r\n";
    t += "Via: " + via + "\r\n";
    t += "Max-Forwards: 70\r\n";
    t += "To: " + to + "\r\n";
    t += "From: " + from + "\r\n";
    t += "Call-ID: " + call_id + "\r\n";
    t += "CSeq: " + std::to_string(cseq) + " " + (cseq_method.empty() ? method : cseq_method) + "\r\n";
    for (const auto& e : extra) t += e + "\r\n";
    t += "Content-Length: 0\r\n\r\n";
    return t;
  }
  Message msg() const { return parse_or_fail(text()); }
};

// A request of `method` with the defaults above.
inline Req req(std::string method) { return Req{}.with_method(std::move(method)); }

// A response to `request` as it would arrive from the network.
inline Message response_to(const Message& request, int status, std::string_view to_tag = "as83kd9bs") {
  return wire(Message::make_response(request, status, {}, status == 100 ? "" : to_tag));
}

inline Peer udp_peer() { return Peer{Transport::Udp, "192.0.2.20", 5060, 1}; }
inline Peer tcp_peer() { return Peer{Transport::Tcp, "192.0.2.20", 5060, 7}; }

// Records every send with the fake time it happened at.
class RecordingSender final : public Sender {
 public:
  struct Sent {
    Peer to;
    std::string bytes;
    TransactionId tid;
    Millis at;
    Message msg() const { return parse_or_fail(bytes); }
  };
  explicit RecordingSender(base::FakeTimerService& timers) : timers_(timers), epoch_(timers.now()) {}

  bool send(const Peer& to, std::string bytes, TransactionId tid) override {
    std::lock_guard lock(mu_);
    auto at = std::chrono::duration_cast<Millis>(timers_.now() - epoch_);
    sent_.push_back(Sent{to, std::move(bytes), tid, at});
    return !fail_;
  }
  void set_fail(bool f) {
    std::lock_guard lock(mu_);
    fail_ = f;
  }
  std::vector<Sent> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  std::size_t count() const {
    std::lock_guard lock(mu_);
    return sent_.size();
  }
  Sent at(std::size_t i) const {
    std::lock_guard lock(mu_);
    return sent_.at(i);
  }
  Sent last() const {
    std::lock_guard lock(mu_);
    return sent_.back();
  }
  // Times (since the sender was made) of every send whose start line begins
  // with `prefix` ("INVITE", "ACK", "SIP/2.0 486"...).
  std::vector<long> times_of(std::string_view prefix) const {
    std::lock_guard lock(mu_);
    std::vector<long> out;
    for (const auto& s : sent_) {
      if (std::string_view(s.bytes).substr(0, prefix.size()) == prefix) out.push_back(s.at.count());
    }
    return out;
  }
  std::size_t count_of(std::string_view prefix) const { return times_of(prefix).size(); }
  void clear() {
    std::lock_guard lock(mu_);
    sent_.clear();
  }

 private:
  base::FakeTimerService& timers_;
  base::TimePoint epoch_;
  mutable std::mutex mu_;
  std::vector<Sent> sent_;
  bool fail_ = false;
};

// Records every TU callback, in order.
class RecordingTu final : public TransactionUser {
 public:
  enum class Kind {
    Request, Cancel, Ack, Response, Stray, ClientError, ServerError, ClientTerminated,
    ServerTerminated,
  };
  struct Event {
    Kind kind;
    ClientTransactionPtr client;
    ServerTransactionPtr server;
    ServerTransactionPtr cancel;  // on_cancel: the CANCEL transaction
    std::optional<Message> msg;
    std::optional<TransactionError> error;
    Peer from;
  };

  // Optional reactions, run inside the callback.
  std::function<void(const ServerTransactionPtr&)> on_request_hook;
  std::function<void(const ServerTransactionPtr&, const ServerTransactionPtr&)> on_cancel_hook;

  void on_request(const ServerTransactionPtr& tx) override {
    add(Event{Kind::Request, nullptr, tx, nullptr, tx->request(), std::nullopt, {}});
    if (on_request_hook) on_request_hook(tx);
  }
  void on_cancel(const ServerTransactionPtr& invite, const ServerTransactionPtr& cancel) override {
    add(Event{Kind::Cancel, nullptr, invite, cancel, cancel->request(), std::nullopt, {}});
    if (on_cancel_hook) on_cancel_hook(invite, cancel);
  }
  void on_ack(const Message& ack, const Peer& from) override {
    add(Event{Kind::Ack, nullptr, nullptr, nullptr, ack, std::nullopt, from});
  }
  void on_response(const ClientTransactionPtr& tx, const Message& response) override {
    add(Event{Kind::Response, tx, nullptr, nullptr, response, std::nullopt, {}});
  }
  void on_stray_response(const Message& response, const Peer& from) override {
    add(Event{Kind::Stray, nullptr, nullptr, nullptr, response, std::nullopt, from});
  }
  void on_client_error(const ClientTransactionPtr& tx, TransactionError e) override {
    add(Event{Kind::ClientError, tx, nullptr, nullptr, std::nullopt, e, {}});
  }
  void on_server_error(const ServerTransactionPtr& tx, TransactionError e) override {
    add(Event{Kind::ServerError, nullptr, tx, nullptr, std::nullopt, e, {}});
  }
  void on_client_terminated(const ClientTransactionPtr& tx) override {
    add(Event{Kind::ClientTerminated, tx, nullptr, nullptr, std::nullopt, std::nullopt, {}});
  }
  void on_server_terminated(const ServerTransactionPtr& tx) override {
    add(Event{Kind::ServerTerminated, nullptr, tx, nullptr, std::nullopt, std::nullopt, {}});
  }

  std::vector<Event> events() const {
    std::lock_guard lock(mu_);
    return events_;
  }
  std::size_t count(Kind k) const {
    std::lock_guard lock(mu_);
    std::size_t n = 0;
    for (const auto& e : events_) n += e.kind == k;
    return n;
  }
  std::optional<Event> last(Kind k) const {
    std::lock_guard lock(mu_);
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->kind == k) return *it;
    }
    return std::nullopt;
  }
  std::vector<Kind> kinds() const {
    std::lock_guard lock(mu_);
    std::vector<Kind> out;
    for (const auto& e : events_) out.push_back(e.kind);
    return out;
  }
  std::vector<int> response_codes() const {
    std::lock_guard lock(mu_);
    std::vector<int> out;
    for (const auto& e : events_) {
      if (e.kind == Kind::Response) out.push_back(e.msg->status());
    }
    return out;
  }
  void clear() {
    std::lock_guard lock(mu_);
    events_.clear();
  }

 private:
  void add(Event e) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  mutable std::mutex mu_;
  std::vector<Event> events_;
};

using K = RecordingTu::Kind;

// Fake timers + recording sender + recording TU + the layer under test.
struct Harness {
  explicit Harness(TransactionConfig cfg = {}) : sender(timers), layer(cfg, sender, tu, timers) {}
  void advance(long ms) { timers.advance(Millis{ms}); }

  base::FakeTimerService timers;
  RecordingSender sender;
  RecordingTu tu;
  TransactionLayer layer;
};

}  // namespace parley::sip::test
