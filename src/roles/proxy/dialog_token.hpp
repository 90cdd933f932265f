// Dialog tokens in Record-Route (the proxy's own defence, no RFC mandates it).
//
// An in-dialog request that comes back through this proxy carries the Route it
// record-routed (RFC 3261 16.6 step 4, 16.12). To tell such requests from ones
// that only claim to be in a dialog (a made-up To tag and a copied Route), each
// Record-Route URI carries `dt=` = HMAC-SHA256(secret, Call-ID, caller's tag),
// truncated to 64 bits. A request is a trusted in-dialog request only when a
// Route it carries for this proxy has a token matching its Call-ID and its
// From or To tag (requests travel both ways in a dialog). Anything else is
// treated as out-of-dialog: authenticated, and never relayed off the local
// domains. The secret is random per process: dialogs do not survive a restart
// of the proxy that record-routed them (their requests are then challenged or
// refused like any other).
#pragma once

#include <string>
#include <string_view>

#include "sip/auth/hmac.hpp"

namespace parley::proxy {

class DialogToken {
 public:
  DialogToken();  // draws a 32-byte random secret
  explicit DialogToken(std::string secret);
  // 16 lower-case hex digits.
  std::string make(std::string_view call_id, std::string_view tag) const;
  // Constant-time comparison against make(call_id, tag).
  bool check(std::string_view call_id, std::string_view tag, std::string_view token) const;

 private:
  sip::auth::HmacSha256 hmac_;
};

}  // namespace parley::proxy
