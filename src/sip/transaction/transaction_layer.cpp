#include "sip/transaction/transaction_layer.hpp"

#include <optional>

#include "sip/transaction/core.hpp"
#include "sip/transaction/transaction_key.hpp"

namespace parley::sip {

std::string_view to_string(Disposition d) {
  switch (d) {
    case Disposition::NewTransaction: return "new transaction";
    case Disposition::Retransmission: return "retransmission";
    case Disposition::AckAbsorbed: return "ACK absorbed";
    case Disposition::AckPassedUp: return "ACK passed up";
    case Disposition::Response: return "response";
    case Disposition::StrayResponse: return "stray response";
    case Disposition::Dropped: return "dropped";
  }
  return "?";
}

TransactionLayer::TransactionLayer(TransactionConfig config, Sender& sender, TransactionUser& tu,
                                   base::TimerService& timers)
    : core_(std::make_shared<detail::Core>(config, sender, tu, timers)) {}

TransactionLayer::~TransactionLayer() {
  for (auto& tx : core_->servers.take_all()) tx->shutdown(*core_);
  for (auto& tx : core_->clients.take_all()) tx->shutdown(*core_);
  core_->by_id.take_all();
  core_->completed->clear();
}

const TransactionConfig& TransactionLayer::config() const { return core_->config; }
std::size_t TransactionLayer::server_count() const { return core_->servers.size(); }
std::size_t TransactionLayer::client_count() const { return core_->clients.size(); }
std::size_t TransactionLayer::completed_count() const { return core_->completed->size(); }

Disposition TransactionLayer::receive(Message message, const Peer& from) {
  if (message.is_response()) return receive_response(message, from);
  if (message.method() == Method::Ack) return receive_ack(message, from);
  return receive_request(std::move(message), from);
}

namespace {

// RFC 3261 17.2.2, Completed: a retransmission gets the final response again
// from the compact record, if there is one for `key`.
bool resend_completed(detail::Core& core, const std::string& key) {
  auto record = core.completed->find(key);
  if (!record) return false;
  core.sender.send(record->to, std::move(record->response), 0);
  return true;
}

}  // namespace

Disposition TransactionLayer::receive_request(Message message, const Peer& from) {
  detail::Core& core = *core_;
  auto key = server_transaction_key(message);
  if (!key) return Disposition::Dropped;
  auto existing = core.servers.find(*key);
  if (existing && (*existing)->on_retransmission(core)) return Disposition::Retransmission;
  // RFC 3261 17.2.2, Completed: the compact record. Also where a transaction
  // that terminated while the lookup above raced with it left its state.
  if (resend_completed(core, *key)) return Disposition::Retransmission;
  if (existing) return Disposition::Retransmission;  // ended, not yet removed: absorbed
  // RFC 3261 9.2: a CANCEL is its own transaction, and the TU learns which
  // INVITE transaction it matched.
  ServerTransactionPtr cancelled;
  if (message.method() == Method::Cancel) cancelled = find_cancelled(message);

  auto tx = ServerTransaction::make(core, core_, *key, std::move(message), from);
  auto [stored, inserted] = core.servers.try_insert(*key, tx);
  if (!inserted) {  // the same request raced in on another thread
    if (!stored->on_retransmission(core)) resend_completed(core, *key);
    return Disposition::Retransmission;
  }
  // ...or raced in, was answered and moved to the completed records between the
  // lookups above and this insert (a transaction enters those records before it
  // leaves `servers`, so this second look cannot miss it).
  if (resend_completed(core, *key)) {
    auto me = tx.get();
    core.servers.erase_if(*key, [me](const ServerTransactionPtr& p) { return p.get() == me; });
    return Disposition::Retransmission;
  }
  core.by_id.try_insert(tx->id(), tx);
  tx->start(core, cancelled);
  return Disposition::NewTransaction;
}

Disposition TransactionLayer::receive_ack(const Message& ack, const Peer& from) {
  detail::Core& core = *core_;
  auto decide = [&](ServerTransaction::AckResult r) -> std::optional<Disposition> {
    switch (r) {
      case ServerTransaction::AckResult::Absorbed: return Disposition::AckAbsorbed;
      case ServerTransaction::AckResult::PassUp:
        core.tu.on_ack(ack, from);
        return Disposition::AckPassedUp;
      case ServerTransaction::AckResult::NoMatch: return std::nullopt;
    }
    return std::nullopt;
  };

  if (has_rfc3261_branch(ack)) {
    // RFC 3261 17.2.3: the ACK for a 300-699 response has the INVITE's branch;
    // the ACK for a 2xx has its own and matches nothing.
    if (auto key = server_transaction_key(ack)) {
      if (auto tx = core.servers.find(*key)) {
        if (auto d = decide((*tx)->on_ack(core, std::nullopt))) return *d;
      }
    }
  } else if (auto to = ack.to()) {
    // RFC 2543 (17.2.3): the ACK's To tag is that of our response, so look for
    // the INVITE under the ACK's tag (re-INVITE) and under no tag (initial
    // INVITE), then check the tag against the response the transaction sent.
    std::string tag(to->tag());
    for (int i = 0; i < (tag.empty() ? 1 : 2); ++i) {
      std::string_view lookup_tag = i == 0 ? std::string_view(tag) : std::string_view();
      auto key = server_transaction_key(ack, Method::Invite, lookup_tag);
      if (!key) break;
      if (auto tx = core.servers.find(*key)) {
        if (auto d = decide((*tx)->on_ack(core, std::string_view(tag)))) return *d;
      }
    }
  }
  if (!ack.top_via()) return Disposition::Dropped;
  core.tu.on_ack(ack, from);
  return Disposition::AckPassedUp;
}

Disposition TransactionLayer::receive_response(const Message& response, const Peer& from) {
  detail::Core& core = *core_;
  if (!response.top_via()) return Disposition::Dropped;
  if (auto key = client_transaction_key(response)) {
    if (auto tx = core.clients.find(*key)) {
      if ((*tx)->on_response(core, response, from)) return Disposition::Response;
    }
  }
  core.tu.on_stray_response(response, from);
  return Disposition::StrayResponse;
}

ServerTransactionPtr TransactionLayer::find_cancelled(const Message& cancel) const {
  auto key = server_transaction_key(cancel, Method::Invite);
  if (!key) return nullptr;
  auto tx = core_->servers.find(*key);
  if (!tx || (*tx)->state() == ServerState::Terminated) return nullptr;
  return *tx;
}

ClientTransactionPtr TransactionLayer::send_request(Message request, const Peer& to,
                                                    ClientOptions options, std::string* error) {
  auto fail = [error](const char* why) -> ClientTransactionPtr {
    if (error) *error = why;
    return nullptr;
  };
  if (!request.is_request()) return fail("not a request");
  if (request.method() == Method::Ack) return fail("ACK is sent without a transaction");
  if (!has_rfc3261_branch(request)) return fail("top Via lacks an RFC 3261 branch");
  auto cseq = request.cseq();
  if (!cseq) return fail("missing CSeq");
  auto key = client_transaction_key(request);
  if (!key) return fail("no transaction key");
  detail::Core& core = *core_;
  auto tx = ClientTransaction::create(core, core_, std::move(*key), std::move(request), to,
                                      std::move(options), /*silent=*/false, /*deferred=*/false);
  if (!tx) return fail("branch already in use");
  tx->start(core, /*from_tu=*/true);
  return tx;
}

bool TransactionLayer::send_stateless(const Message& message, const Peer& to) {
  return core_->sender.send(to, message.serialize(), 0);
}

void TransactionLayer::transport_failed(TransactionId tid) {
  auto weak = core_->by_id.find(tid);
  if (!weak) return;
  if (auto tx = weak->lock()) tx->transport_failed();
}

}  // namespace parley::sip
