// Judging a probe's facts: the verdict rules of port_check.hpp.
#include <string>

#include "topology/check/detail.hpp"

namespace parley::check {

std::string_view to_string(Transport t) {
  switch (t) {
    case Transport::Tcp:
      return "TCP";
    case Transport::Tls:
      return "TLS";
    case Transport::Udp:
      return "UDP";
  }
  return "?";
}

std::string_view to_string(PortState s) {
  switch (s) {
    case PortState::Open:
      return "OPEN";
    case PortState::Closed:
      return "CLOSED";
    case PortState::Filtered:
      return "FILTERED";
    case PortState::NoReply:
      return "NO REPLY";
    case PortState::NotProbed:
      return "NOT PROBED";
  }
  return "?";
}

std::string_view to_string(Verdict v) {
  switch (v) {
    case Verdict::Ok:
      return "ok";
    case Verdict::Warn:
      return "warn";
    case Verdict::Fail:
      return "fail";
  }
  return "?";
}

bool passed(const std::vector<PortReport>& reports) {
  for (const auto& r : reports) {
    if (r.target.required && r.verdict == Verdict::Fail) return false;
  }
  return true;
}

namespace detail {
namespace {

std::string days_text(long days) {
  if (days <= 0) return "less than a day";
  return std::to_string(days) + (days == 1 ? " day" : " days");
}

void judge_certificate(const Options& options, std::chrono::system_clock::time_point now,
                       const CertificateInfo& c, PortReport& r) {
  if (c.days_left < 0 || now > c.not_after) {
    r.failures.push_back("certificate expired on " + format_date(c.not_after));
  } else if (now < c.not_before) {
    r.failures.push_back("certificate not valid before " + format_date(c.not_before));
  } else if (c.days_left < options.expiry_warning.count()) {
    r.warnings.push_back("certificate expires in " + days_text(c.days_left));
  }
  if (options.ca.empty()) {
    r.warnings.push_back("certificate not verified (no CA given)");
  } else if (!c.verified) {
    r.failures.push_back("certificate not verified against " + options.ca.string() + ": " +
                         c.verify_error);
  }
  if (!c.name_matches) r.warnings.push_back("certificate does not name " + c.checked_name);
}

}  // namespace

void judge(const Options& options, std::chrono::system_clock::time_point now, PortReport& r) {
  r.warnings.clear();
  r.failures.clear();
  switch (r.state) {
    case PortState::Closed:
      r.failures.push_back(r.target.transport == Transport::Udp
                               ? "port closed: ICMP port unreachable (" + r.detail + ")"
                               : "port closed: " + r.detail);
      break;
    case PortState::Filtered:
      r.failures.push_back("no connection: " + r.detail);
      break;
    case PortState::NoReply:
      r.failures.push_back("no reply: " + r.detail);
      break;
    case PortState::Open:
    case PortState::NotProbed:
      break;
  }
  if (r.tls) {
    if (!r.tls->ok) r.failures.push_back("TLS handshake failed: " + r.tls->error);
    if (r.tls->certificate) judge_certificate(options, now, *r.tls->certificate, r);
  }
  // For UDP the OPTIONS is the probe itself: NoReply / Closed already say it.
  if (r.options && r.state == PortState::Open) {
    const OptionsResult& o = *r.options;
    if (!o.answered) {
      r.failures.push_back("no answer to SIP OPTIONS: " + o.error);
    } else if (o.status < 200 || o.status > 299) {
      r.warnings.push_back("SIP OPTIONS answered " + std::to_string(o.status) + " " + o.reason);
    }
  }
  r.verdict = !r.failures.empty()   ? Verdict::Fail
              : !r.warnings.empty() ? Verdict::Warn
                                    : Verdict::Ok;
}

}  // namespace detail
}  // namespace parley::check
