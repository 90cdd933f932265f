#include "app/request_log.hpp"

#include <spdlog/spdlog.h>

namespace parley::app {

void SpdlogRequestLog::accepted(const sip::Message& request, const sip::Peer& from,
                                std::string_view what) {
  spdlog::info("accepted {} {} from {} call-id={}: {}", request.method_text(),
               request.request_uri().text, from.to_string(), request.call_id(), what);
}

void SpdlogRequestLog::rejected(const sip::Message& request, const sip::Peer& from, int status,
                                std::string_view why) {
  spdlog::info("rejected {} {} from {} call-id={}: {} {}", request.method_text(),
               request.request_uri().text, from.to_string(), request.call_id(), status, why);
}

void SpdlogRequestLog::malformed(std::string_view start_line, const sip::Peer& from, int status,
                                 std::string_view why) {
  if (start_line.size() > 80) start_line = start_line.substr(0, 80);
  if (status) {
    spdlog::info("rejected malformed message from {} ({}): {} {}", from.to_string(), start_line,
                 status, why);
  } else {
    spdlog::info("dropped malformed message from {} ({}): {}", from.to_string(), start_line, why);
  }
}

}  // namespace parley::app
