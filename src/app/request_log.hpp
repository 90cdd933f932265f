// One log line per request accepted or rejected, with the reason (spdlog, at
// info): "REGISTER sip:parley.test from udp:127.0.0.1:5062 call-id=... -> 200: registered ...".
#pragma once

#include "app/source_throttle.hpp"
#include "roles/proxy/proxy.hpp"

namespace parley::app {

// Also feeds the source throttle: every rejection that leaves a request
// unauthenticated counts against its source address.
class SpdlogRequestLog final : public proxy::RequestLog {
 public:
  SpdlogRequestLog(SourceThrottle& throttle, const base::TimerService& clock)
      : throttle_(throttle), clock_(clock) {}
  void accepted(const sip::Message& request, const sip::Peer& from, std::string_view what) override;
  void rejected(const sip::Message& request, const sip::Peer& from, int status,
                std::string_view why) override;
  // A message that could not be parsed (status 0: dropped, no response).
  void malformed(std::string_view start_line, const sip::Peer& from, int status,
                 std::string_view why);

 private:
  void count_failure(const sip::Peer& from, int status);

  SourceThrottle& throttle_;
  const base::TimerService& clock_;
};

}  // namespace parley::app
