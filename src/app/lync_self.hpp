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
// Not yet: NOTIFY/BENOTIFY to the user's other subscriptions when the list
// changes (the client that made the change knows it; others see it at their
// next sign-in).
#pragma once

#include <string>

#include "roles/lync/provisioning.hpp"
#include "sip/auth/security_associations.hpp"
#include "sip/transaction/transaction_layer.hpp"
#include "store/contact_store.hpp"

namespace parley::app {

class LyncSelfServices {
 public:
  LyncSelfServices(store::ContactStore& contacts, std::string server_fqdn,
                   std::string server_header);

  // Answers `tx` if it is one of the requests above from `user` to itself;
  // false leaves it to the caller.
  bool handle(const sip::ServerTransactionPtr& tx, const sip::auth::NtlmUser& user);

 private:
  void subscribe(const sip::ServerTransactionPtr& tx, const std::string& aor,
                 std::string_view event);
  void service(const sip::ServerTransactionPtr& tx, const std::string& aor);

  store::ContactStore& contacts_;
  std::string server_fqdn_;
  std::string server_header_;
};

}  // namespace parley::app
