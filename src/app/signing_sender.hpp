// The last step before the wire for connections that carry an [MS-SIPAE] NTLM
// security association: every message Parley sends over such a connection,
// request or response, relayed or its own, gets an Authentication-Info header
// with its signature ([MS-SIPAE] 3.3.5.3). pidgin-sipe drops any message
// without one once it has signed in.
//
// Messages to other destinations pass through untouched, and while no SA exists
// the check costs one atomic load. A signed message is parsed back from the
// bytes the transaction layer serialized (the signature covers headers the
// sender fixes last), which costs a parse per message to a Lync client only.
#pragma once

#include "sip/auth/security_associations.hpp"
#include "sip/transaction/sender.hpp"

namespace parley::app {

class SigningSender final : public sip::Sender {
 public:
  SigningSender(sip::Sender& next, sip::auth::SecurityAssociations& sas) : next_(next), sas_(sas) {}
  bool send(const sip::Peer& to, std::string bytes, sip::TransactionId tid) override;

 private:
  sip::Sender& next_;
  sip::auth::SecurityAssociations& sas_;
};

}  // namespace parley::app
