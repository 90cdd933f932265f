#include "app/request_log.hpp"

#include <spdlog/spdlog.h>

namespace parley::app {

void SpdlogRequestLog::accepted(const sip::Message& request, const sip::Peer& from,
                                std::string_view what) {
  spdlog::info("accepted {} {} from {} call-id={}: {}", request.method_text(),
               request.request_uri().text, from.to_string(), request.call_id(), what);
}

void SpdlogRequestLog::count_failure(const sip::Peer& from, int status) {
  // 480 too: an unauthenticated request for a local user with no binding gets 480
  // whether or not the account exists (proxy.hpp), so a scan of unknown users from
  // another domain shows up as 480s.
  if (status != 0 && status != 400 && status != 401 && status != 403 && status != 404 &&
      status != 407 && status != 480)
    return;
  if (throttle_.record_failure(from.ip, clock_.now()))
    spdlog::warn("throttling {}: too many unauthenticated requests; 503 for a while", from.ip);
}

void SpdlogRequestLog::rejected(const sip::Message& request, const sip::Peer& from, int status,
                                std::string_view why) {
  count_failure(from, status);
  spdlog::info("rejected {} {} from {} call-id={}: {} {}", request.method_text(),
               request.request_uri().text, from.to_string(), request.call_id(), status, why);
}

namespace {
// Network bytes never reach the log as they are: controls and non-ASCII
// become \xNN, and long lines are cut.
std::string printable(std::string_view s, std::size_t max = 80) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F || c == '\\') {
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}
}  // namespace

void SpdlogRequestLog::malformed(std::string_view raw_start_line, const sip::Peer& from, int status,
                                 std::string_view why) {
  std::string start_line = printable(raw_start_line);
  count_failure(from, status);
  if (status) {
    spdlog::info("rejected malformed message from {} ({}): {} {}", from.to_string(), start_line,
                 status, why);
  } else {
    spdlog::info("dropped malformed message from {} ({}): {}", from.to_string(), start_line, why);
  }
}

}  // namespace parley::app
