// format_report: the check's result as text for people (layout in port_check.hpp).
#include <algorithm>
#include <cstdio>
#include <string>

#include "topology/check/detail.hpp"

namespace parley::check {
namespace {

constexpr std::size_t kMaxLabelWidth = 72;  // "... (standard SIP clients) (frontend.sip-udp)" fits
constexpr std::size_t kMaxPeerText = 200;   // a peer's string, in the report
constexpr std::size_t kMaxAltNames = 20;

// Text that came from the peer, made safe for a terminal: control bytes become
// \xHH, and it is cut at `max` bytes.
std::string printable(std::string_view s, std::size_t max = kMaxPeerText) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < max; ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

std::string port_column(const Target& t) {
  return std::to_string(t.port) + "/" + std::string(to_string(t.transport));
}

std::string certificate_line(const Options& options, const CertificateInfo& c) {
  std::string s =
      "certificate: subject " + printable(c.subject) + "; issuer " + printable(c.issuer) + "; SAN ";
  if (c.subject_alt_names.empty()) s += "(none)";
  for (std::size_t i = 0; i < c.subject_alt_names.size() && i < kMaxAltNames; ++i) {
    if (i > 0) s += ", ";
    s += printable(c.subject_alt_names[i]);
  }
  if (c.subject_alt_names.size() > kMaxAltNames)
    s += " and " + std::to_string(c.subject_alt_names.size() - kMaxAltNames) + " more";
  if (c.days_left >= 0) {
    s += "; expires " + detail::format_date(c.not_after) + " (" + std::to_string(c.days_left) +
         (c.days_left == 1 ? " day)" : " days)");
  } else {
    s += "; expired " + detail::format_date(c.not_after) + " (" + std::to_string(-c.days_left) +
         (c.days_left == -1 ? " day ago)" : " days ago)");
  }
  if (options.ca.empty()) {
    s += "; not verified (no CA given)";
  } else if (c.verified) {
    s += "; verified";
  } else {
    s += "; not verified: " + c.verify_error;
  }
  s += c.name_matches ? "; name matches" : "; name does not match " + printable(c.checked_name);
  return s;
}

std::string options_line(const OptionsResult& o) {
  if (!o.answered) return "SIP OPTIONS: no answer (" + o.error + ")";
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.1f", static_cast<double>(o.round_trip.count()) / 1000.0);
  std::string s =
      "SIP OPTIONS: " + std::to_string(o.status) + " " + printable(o.reason) + " in " + ms + " ms";
  if (!o.server.empty()) s += " (Server: " + printable(o.server) + ")";
  return s;
}

void append_block(const Options& options, const PortReport& r, std::size_t port_width,
                  std::size_t label_width, std::string& out) {
  std::string head = pad(port_column(r.target), port_width) + "  " +
                     pad(printable(r.target.label, kMaxLabelWidth), label_width) + "  " +
                     std::string(to_string(r.state)) + "  " + r.address;
  if (r.state != PortState::Open && !r.detail.empty()) head += "  " + r.detail;
  out += head + "\n";
  const std::string indent = "    ";
  if (r.tls) {
    if (r.tls->ok) {
      out += indent + "TLS: " + r.tls->version + " " + r.tls->cipher + "\n";
    } else {
      out += indent + "TLS: handshake failed (" + printable(r.tls->error) + ")\n";
    }
    if (r.tls->certificate) out += indent + certificate_line(options, *r.tls->certificate) + "\n";
  }
  if (r.options) out += indent + options_line(*r.options) + "\n";
  for (const auto& w : r.warnings) out += indent + "WARN: " + printable(w, 1000) + "\n";
  for (const auto& f : r.failures) {
    out += indent + "FAIL: " + printable(f, 1000) + (r.target.required ? "" : " (informational)") +
           "\n";
  }
  if (r.verdict == Verdict::Ok) out += indent + "ok\n";
}

}  // namespace

std::string format_report(const Options& options, const std::vector<PortReport>& reports) {
  std::string out = "checking " + printable(options.host);
  std::string_view host = options.host;
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  if (!reports.empty() && reports.front().address != host)
    out += " (" + reports.front().address + ")";
  out += ": " + std::to_string(reports.size()) + (reports.size() == 1 ? " port" : " ports") +
         ", timeout " + std::to_string(options.timeout.count()) + " ms per step";
  out += options.ca.empty() ? ", certificates not verified (no CA given)"
                            : ", certificates verified against " + options.ca.string();
  out += "\n\n";

  std::size_t port_width = 0;
  std::size_t label_width = 0;
  for (const auto& r : reports) {
    port_width = std::max(port_width, port_column(r.target).size());
    label_width = std::max(label_width, std::min(r.target.label.size(), kMaxLabelWidth));
  }

  std::size_t ok = 0, warn = 0, failed = 0, required_failed = 0, informational = 0;
  for (const auto& r : reports) {
    append_block(options, r, port_width, label_width, out);
    out += "\n";
    switch (r.verdict) {
      case Verdict::Ok:
        ++ok;
        break;
      case Verdict::Warn:
        ++warn;
        break;
      case Verdict::Fail:
        ++failed;
        ++(r.target.required ? required_failed : informational);
        break;
    }
  }
  out += std::to_string(reports.size()) + (reports.size() == 1 ? " port" : " ports") +
         " checked: " + std::to_string(ok) + " ok, " + std::to_string(warn) + " warnings, " +
         std::to_string(failed) + " failed\n";
  if (required_failed == 0) {
    out += "result: PASS";
    if (informational > 0)
      out += " (" + std::to_string(informational) + " informational " +
             (informational == 1 ? "failure" : "failures") + ")";
  } else {
    out += "result: FAIL (" + std::to_string(required_failed) + " required " +
           (required_failed == 1 ? "port" : "ports") + " failed)";
  }
  out += "\n";
  return out;
}

}  // namespace parley::check
