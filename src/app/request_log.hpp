// One log line per request accepted or rejected, with the reason (spdlog, at
// info): "REGISTER sip:parley.test from udp:127.0.0.1:5062 call-id=... -> 200: registered ...".
#pragma once

#include "roles/proxy/proxy.hpp"

namespace parley::app {

class SpdlogRequestLog final : public proxy::RequestLog {
 public:
  void accepted(const sip::Message& request, const sip::Peer& from, std::string_view what) override;
  void rejected(const sip::Message& request, const sip::Peer& from, int status,
                std::string_view why) override;
  // A message that could not be parsed (status 0: dropped, no response).
  void malformed(std::string_view start_line, const sip::Peer& from, int status,
                 std::string_view why);
};

}  // namespace parley::app
