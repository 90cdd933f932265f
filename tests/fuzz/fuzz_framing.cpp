// Fuzz target: sip::find_message, the stream framer (RFC 3261 7.5, 18.3,
// RFC 5626 3.5.1), and datagram_message.
//
// The input is the bytes a peer sends on one TCP/TLS connection. The target
// frames them as a connection would, twice:
//  - all at once: find_message over the whole buffer, dropping each Complete
//    or KeepAlive, until Incomplete or Error;
//  - as they trickle in, in chunks of 1..61 bytes, passing back the `resume`
//    of each Incomplete, as src/net does.
// Both use the same small max_message_size (256..4096 bytes, chosen from the
// input size). Checks:
//  - offsets and lengths stay inside the buffer, every step consumes bytes;
//  - find_message(buf, max, resume) gives what find_message(buf, max, 0) gives
//    (resuming is only a shortcut);
//  - when an Incomplete names `needed`, the message is Complete exactly when
//    the buffer reaches that size;
//  - both deliveries frame the same messages, drop the same line ends between
//    them and stop the same way (framing must not depend on how the bytes
//    were cut);
//  - a framed message that Message::parse accepts has its body end where the
//    frame ends (the framer and the parser agree on the header block).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_check.hpp"
#include "sip/framing.hpp"
#include "sip/message.hpp"

namespace {

using parley::fuzz::printable;
using parley::fuzz::within;
using namespace parley::sip;

// One step of framing, as the connection saw it. Line ends between messages
// (pings, stray CRLFs, the offset of a Complete) are one Skip of their total
// length: how a run of them is cut into keep-alives depends on when the bytes
// arrive ("\n" then "\r\n\r\n" is a stray LF and a ping; all at once it is
// five stray bytes), and either way they are dropped.
//
// Errors compare by kind only: which limit a bad stream hits first can depend
// on the cut (a 300-byte first line with no line end is "headers too large"
// while it arrives and "not SIP" once its end is seen); either way the
// connection closes at the same message.
struct Event {
  enum Kind { Message, Skip, Error, Incomplete } kind;
  std::size_t length = 0;  // bytes of the message, skipped, or left unframed
  std::string_view reason;
  bool operator==(const Event& o) const { return kind == o.kind && length == o.length; }
};

// Line ends at the end of the stream are dropped or not depending on whether
// what follows them has arrived yet: before an Error they do not count (the
// connection closes), before the final Incomplete they count as unframed.
void add(std::vector<Event>& events, Event e) {
  if (!events.empty() && events.back().kind == Event::Skip) {
    if (e.kind == Event::Skip) {
      events.back().length += e.length;
      return;
    }
    if (e.kind == Event::Incomplete) e.length += events.back().length;
    if (e.kind != Event::Message) events.pop_back();
  }
  events.push_back(e);
}

std::string describe(const std::vector<Event>& events) {
  static constexpr const char* kNames[] = {"message", "skip", "error", "incomplete"};
  std::string out;
  for (const auto& e : events) {
    out += kNames[e.kind];
    out += '(' + std::to_string(e.length);
    if (!e.reason.empty()) out += ',' + std::string(e.reason);
    out += ") ";
  }
  return out;
}

bool same_result(const FrameResult& a, const FrameResult& b) {
  if (a.index() != b.index()) return false;
  if (auto* ca = std::get_if<frame::Complete>(&a)) {
    auto& cb = std::get<frame::Complete>(b);
    return ca->offset == cb.offset && ca->length == cb.length;
  }
  if (auto* ka = std::get_if<frame::KeepAlive>(&a)) {
    auto& kb = std::get<frame::KeepAlive>(b);
    return ka->consumed == kb.consumed && ka->ping == kb.ping;
  }
  if (auto* ia = std::get_if<frame::Incomplete>(&a)) {
    return ia->needed == std::get<frame::Incomplete>(b).needed;
  }
  return std::get<frame::Error>(a).reason == std::get<frame::Error>(b).reason;
}

// The framer and the parser agree on where a framed message's body ends.
void check_framed(std::string_view message) {
  auto r = Message::parse(std::string(message));
  auto* m = std::get_if<parley::sip::Message>(&r);
  if (!m || m->body().empty()) return;
  std::string_view raw = m->raw();
  PARLEY_FUZZ_CHECK_MSG(m->body().data() + m->body().size() == raw.data() + raw.size(),
                        "body ends before the frame: " + printable(message));
}

// Frames what `buffer` holds, dropping consumed bytes, until it needs more
// bytes or fails. Appends what happened to `events`; returns false after an
// Error. `resume` and `needed` carry over between calls on the same stream.
bool drain(std::string& buffer, std::size_t max, std::size_t& resume, std::size_t& needed,
           std::vector<Event>& events) {
  for (;;) {
    FrameResult r = find_message(buffer, max, resume);
    if (resume != 0) {
      PARLEY_FUZZ_CHECK_MSG(same_result(r, find_message(buffer, max, 0)),
                            "resume " + std::to_string(resume) + " changes the result for " +
                                printable(buffer));
    }
    if (needed != 0 && buffer.size() >= needed) {
      auto* c = std::get_if<frame::Complete>(&r);
      PARLEY_FUZZ_CHECK_MSG(c && c->consumed() == needed,
                            "not Complete at the size Incomplete announced: " + printable(buffer));
    }
    resume = 0;
    needed = 0;
    if (auto* inc = std::get_if<frame::Incomplete>(&r)) {
      PARLEY_FUZZ_CHECK(inc->resume <= buffer.size());
      PARLEY_FUZZ_CHECK(inc->needed == 0 || inc->needed > buffer.size());
      PARLEY_FUZZ_CHECK(inc->needed <= max + buffer.size());
      resume = inc->resume;
      needed = inc->needed;
      return true;
    }
    if (auto* c = std::get_if<frame::Complete>(&r)) {
      PARLEY_FUZZ_CHECK(c->length > 0);
      PARLEY_FUZZ_CHECK(c->length <= max);
      PARLEY_FUZZ_CHECK(c->consumed() <= buffer.size());
      std::string_view message = std::string_view(buffer).substr(c->offset, c->length);
      PARLEY_FUZZ_CHECK(is_start_line_char(message.front()));
      check_framed(message);
      if (c->offset != 0) add(events, {Event::Skip, c->offset, {}});
      add(events, {Event::Message, c->length, {}});
      buffer.erase(0, c->consumed());
      continue;
    }
    if (auto* k = std::get_if<frame::KeepAlive>(&r)) {
      PARLEY_FUZZ_CHECK(k->consumed > 0);
      PARLEY_FUZZ_CHECK(k->consumed <= buffer.size());
      for (std::size_t i = 0; i < k->consumed; ++i) {
        PARLEY_FUZZ_CHECK(buffer[i] == '\r' || buffer[i] == '\n');
      }
      if (k->ping) PARLEY_FUZZ_CHECK(buffer.compare(0, 4, "\r\n\r\n") == 0);
      add(events, {Event::Skip, k->consumed, {}});
      buffer.erase(0, k->consumed);
      continue;
    }
    auto& e = std::get<frame::Error>(r);
    PARLEY_FUZZ_CHECK(!e.reason.empty());
    add(events, {Event::Error, 0, e.reason});
    return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::size_t max = std::size_t{256} << (size % 5);  // 256 .. 4096
  const std::size_t chunk = 1 + size % 61;

  // All at once.
  std::vector<Event> whole;
  {
    std::string buffer(input);
    std::size_t resume = 0, needed = 0;
    if (drain(buffer, max, resume, needed, whole)) add(whole, {Event::Incomplete, buffer.size(), {}});
  }

  // In chunks, as a socket delivers them.
  std::vector<Event> trickle;
  {
    std::string buffer;
    std::size_t resume = 0, needed = 0;
    bool open = true;
    for (std::size_t at = 0; open && at < input.size(); at += chunk) {
      buffer.append(input.substr(at, chunk));
      // A caller told how many bytes it needs waits for them (framing.hpp).
      if (needed != 0 && buffer.size() < needed) continue;
      open = drain(buffer, max, resume, needed, trickle);
    }
    if (open) add(trickle, {Event::Incomplete, buffer.size(), {}});
  }
  PARLEY_FUZZ_CHECK_MSG(whole == trickle, "all at once: " + describe(whole) +
                                              "\n  in chunks of " + std::to_string(chunk) + ": " +
                                              describe(trickle));

  if (auto d = datagram_message(input)) {
    PARLEY_FUZZ_CHECK(within(*d, input));
    PARLEY_FUZZ_CHECK(!d->empty() && is_start_line_char(d->front()));
  }
  return 0;
}
