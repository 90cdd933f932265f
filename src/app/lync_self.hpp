// What a Lync-protocol client asks of its own Front End right after sign-in,
// answered here for a user signed in over an [MS-SIPAE] security association:
//
//   SUBSCRIBE to self, Event: vnd-microsoft-provisioning-v2   [MS-SIPREGE] 3.4.5.2
//   SUBSCRIBE to self, Event: vnd-microsoft-roaming-self      [MS-PRES] 3.7.5.x
//   SUBSCRIBE to self, Event: vnd-microsoft-roaming-contacts  [MS-SIP] 3.7
//   SERVICE to self with a SOAP contact-list request          [MS-SIP] 2.2.4.2
//
// The client asks for the first notification in the 200 OK itself
// (Supported: ms-piggyback-first-notify); that answer carries the body, its
// Content-Type and `ms-piggyback-cseq`, without which pidgin-sipe ignores the
// body. Provisioning is one-off (Expires: 0, subscription terminated). The
// bodies come from roles/lync; the contact list from the store.
//
// The roaming-self and roaming-contacts subscriptions are dialogs kept here
// until they expire: a refresh (SUBSCRIBE in the dialog) renews one, Expires: 0
// ends it, and when a SERVICE request changes a user's contact list every
// roaming-contacts subscription of that user, on every endpoint, gets a NOTIFY
// with the change (contactDelta, [MS-SIP] 3.7). A change made with `parley
// contacts` while the user is signed in reaches the clients at their next
// subscription.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

#include "base/timer.hpp"
#include "roles/lync/provisioning.hpp"
#include "roles/lync/roaming_self.hpp"
#include "roles/proxy/local_identity.hpp"
#include "sip/auth/security_associations.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "store/contact_store.hpp"

namespace parley::app {

class LyncSelfServices {
 public:
  LyncSelfServices(store::ContactStore& contacts, const proxy::LocalIdentity& identity,
                   sip::TransactionLayer& transactions, const base::TimerService& clock,
                   std::string server_header);

  // Answers `tx` if it is one of the requests above from `user` to itself;
  // false leaves it to the caller.
  bool handle(const sip::ServerTransactionPtr& tx, const sip::auth::NtlmUser& user);

  // Where a user's roaming-self content (its publications and containers)
  // comes from: the presence role. Without it, no categories and the default
  // containers. Set before the first request.
  void set_roaming_self_source(std::function<lync::RoamingSelf(const std::string& aor)> fn) {
    roaming_self_source_ = std::move(fn);
  }
  // Conferencing is served (roles/conferencing): provisioning then names the
  // user's focus factory, which makes clients offer multiparty chat.
  void enable_conferencing() { conferencing_ = true; }

  // The user's publications or containers changed: every roaming-self
  // subscription of `aor` gets a NOTIFY with the whole document.
  void roaming_self_changed(const std::string& aor);

 private:
  // Subscriptions kept (for tests and the log).
  std::size_t subscription_count() const;

 private:
  struct Subscription {
    std::string aor;
    std::string event;
    std::string client_tag;  // the subscriber's From tag
    std::string our_tag;     // the To tag of our 200
    std::string target;      // the subscriber's Contact URI
    sip::Peer flow;          // where its SUBSCRIBE came from
    std::uint32_t cseq = 0;  // of our NOTIFYs
    base::TimePoint expires;
  };
  void subscribe(const sip::ServerTransactionPtr& tx, const std::string& aor,
                 std::string_view event);
  bool refresh(const sip::ServerTransactionPtr& tx, const std::string& aor);
  void service(const sip::ServerTransactionPtr& tx, const std::string& aor);
  // NOTIFY `body` to every live `event` subscription of `aor`.
  void notify(const std::string& aor, std::string_view event, std::string_view content_type,
              const std::string& body);

  store::ContactStore& contacts_;
  const proxy::LocalIdentity& identity_;
  sip::TransactionLayer& transactions_;
  const base::TimerService& clock_;
  std::string server_header_;
  std::function<lync::RoamingSelf(const std::string&)> roaming_self_source_;
  bool conferencing_ = false;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Subscription> subscriptions_;  // by Call-ID
};

}  // namespace parley::app
