// The IM gateway between the two client families: a Lync-protocol client
// starts every 1:1 conversation with an INVITE offering `m=message ... sip
// null` ([MS-SIP] 3.3.5.2) and sends its text as MESSAGE requests inside that
// dialog, while a standard SIP client (baresip, Linphone) speaks pager-mode
// MESSAGE (RFC 3428) and answers such an INVITE with 488 or 415.
//
// When the callee of such an INVITE is a local user none of whose bindings is
// a Lync-protocol client, the proxy hands the INVITE here instead of forking
// it: the gateway answers 200 itself (its Contact routes the dialog back to
// it), and relays the conversation to the callee as pager-mode MESSAGEs from
// the caller: the first message when it rides in the INVITE (Ms-Text-Format's
// ms-body), then each MESSAGE of the dialog. Typing INFOs are absorbed; BYE
// ends the session. The other direction needs nothing: a pager-mode MESSAGE to
// a Lync client is delivered as it is.
//
// Thread-safe; sessions are forgotten at BYE or after an hour without traffic.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/timer.hpp"
#include "roles/proxy/local_identity.hpp"
#include "roles/registrar/location.hpp"
#include "sip/transaction/transaction_layer.hpp"

namespace parley::proxy {

class ImGateway {
 public:
  ImGateway(const LocalIdentity& identity, sip::TransactionLayer& transactions,
            const base::TimerService& clock, std::string server_header);

  // Whether the proxy should answer this IM INVITE here: `bindings` (the
  // callee's, non-empty) has no Lync-protocol client.
  static bool wanted(const std::vector<registrar::Binding>& bindings);
  // Answers the IM INVITE `tx` from `caller_aor` to `callee_aor`, whose
  // bindings are `bindings`, and relays its first message if it carries one.
  void answer(const sip::ServerTransactionPtr& tx, const std::string& caller_aor,
              const std::string& callee_aor, const std::vector<registrar::Binding>& bindings);
  // A request inside one of the gateway's dialogs (by Call-ID and our To tag):
  // answered (and relayed) here; false when it is not one of them.
  bool in_dialog(const sip::ServerTransactionPtr& tx);
  // An ACK for one of the gateway's 200s: absorbed (true).
  bool absorbs(const sip::Message& ack) const;
  std::size_t size() const;

 private:
  struct Session {
    std::string caller;     // AOR
    std::string callee;     // AOR
    std::string our_tag;
    std::string relay_call_id;  // Call-ID of the pager-mode MESSAGEs to the callee
    std::string relay_tag;
    std::uint32_t relay_cseq = 0;
    std::vector<registrar::Binding> bindings;
    base::TimePoint last;
  };
  void relay(Session& s, std::string_view content_type, std::string_view body);
  void forget_idle(base::TimePoint now);

  const LocalIdentity& identity_;
  sip::TransactionLayer& transactions_;
  const base::TimerService& clock_;
  std::string server_header_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Session> sessions_;  // by the INVITE's Call-ID
  std::uint64_t answered_ = 0;                         // idle sessions are swept every 64th
};

}  // namespace parley::proxy
