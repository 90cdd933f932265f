// sip::Message::parse and serialize(): whole messages in, whole messages out.
//
// Every benchmark counts messages (items/s) and the octets parsed or written
// (bytes/s). Parse is timed from a std::string of the input, as the transport
// hands it over (parse() takes the bytes by value, so the copy is part of the
// receive path); each message is first checked to parse, so no error path is
// ever timed.
#include <string>
#include <variant>

#include <benchmark/benchmark.h>

#include "corpus.hpp"
#include "micro.hpp"
#include "sip/message.hpp"
#include "sip/transaction/branch.hpp"

namespace parley::bench {
namespace {

using sip::HeaderId;
using sip::Message;

void parse_one(benchmark::State& state, const SampleMessage* m) {
  require_parse(*m, "parse");
  for (auto _ : state) {
    sip::ParseResult r = Message::parse(m->bytes);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(m->bytes.size()));
}

// The whole valid set per iteration: items/s is messages per second over the
// mix of RFC 4475's valid messages (each counted once).
void parse_rfc4475_valid(benchmark::State& state) {
  const auto& set = rfc4475_valid();
  std::int64_t bytes = 0;
  for (const auto& m : set) {
    require_parse(m, "parse");
    bytes += static_cast<std::int64_t>(m.bytes.size());
  }
  for (auto _ : state) {
    for (const auto& m : set) {
      sip::ParseResult r = Message::parse(m.bytes);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(set.size()));
  state.SetBytesProcessed(state.iterations() * bytes);
}

// Parse, then read what every request costs the stack and the proxy before
// routing: top Via (transaction key, RFC 3261 17.2.3), From, To, Call-ID,
// CSeq, Max-Forwards, the Request-URI and the top Route.
void parse_and_read(benchmark::State& state, const SampleMessage* m) {
  require_parse(*m, "parse_and_read");
  for (auto _ : state) {
    sip::ParseResult r = Message::parse(m->bytes);
    auto& msg = std::get<Message>(r);
    auto via = msg.top_via();
    auto from = msg.from();
    auto to = msg.to();
    auto cseq = msg.cseq();
    auto mf = msg.max_forwards();
    auto call_id = msg.call_id();
    std::string aor = msg.request_uri().aor();
    std::optional<sip::NameAddr> route;
    if (const sip::Header* h = msg.find(HeaderId::Route)) route = sip::parse_name_addr(h->value);
    benchmark::DoNotOptimize(via);
    benchmark::DoNotOptimize(from);
    benchmark::DoNotOptimize(to);
    benchmark::DoNotOptimize(cseq);
    benchmark::DoNotOptimize(mf);
    benchmark::DoNotOptimize(call_id);
    benchmark::DoNotOptimize(aor);
    benchmark::DoNotOptimize(route);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(m->bytes.size()));
}

// serialize() of a parsed, unedited message (headers written byte for byte).
void serialize_one(benchmark::State& state, const SampleMessage* m) {
  const Message msg = require_parse(*m, "serialize");
  std::int64_t bytes = 0;
  for (auto _ : state) {
    std::string out = msg.serialize();
    bytes += static_cast<std::int64_t>(out.size());
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

void serialize_rfc4475_valid(benchmark::State& state) {
  std::vector<Message> parsed;
  for (const auto& m : rfc4475_valid()) parsed.push_back(require_parse(m, "serialize"));
  std::int64_t bytes = 0;
  for (auto _ : state) {
    for (const auto& msg : parsed) {
      std::string out = msg.serialize();
      bytes += static_cast<std::int64_t>(out.size());
      benchmark::DoNotOptimize(out);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(parsed.size()));
  state.SetBytesProcessed(bytes);
}

// What the proxy does to an initial INVITE it forwards to a registered contact
// (roles/proxy/proxy.cpp, RFC 3261 16.6): copy the request, remove the Route
// naming this server (16.4), decrement Max-Forwards (step 3), retarget the
// Request-URI to the binding's contact (step 6), Record-Route (step 4), a new
// Via with a fresh random branch (step 8), then serialize() for the transport.
Message forward(const Message& in) {
  Message out = in;
  out.pop_front(HeaderId::Route);
  auto mf = in.max_forwards();
  out.set(HeaderId::MaxForwards, std::to_string(mf ? *mf - 1 : 70));
  out.set_request_uri("sip:bob@192.0.2.44:51023;transport=tls;ob");
  out.push_front(HeaderId::RecordRoute,
                 "<sip:fe01.parley.test:5061;transport=tls;lr;dt=Dq3bA9kLr0xv2c7N>");
  std::string branch = "z9hG4bKPl7f3a9c." + sip::make_branch().substr(7);
  out.push_front(HeaderId::Via, "SIP/2.0/TLS 198.51.100.30:5061;branch=" + branch);
  return out;
}

void forward_one(benchmark::State& state, const SampleMessage* m) {
  const Message in = require_parse(*m, "forward");
  {
    SampleMessage check{m->name + " as forwarded", forward(in).serialize()};
    require_parse(check, "forward");
  }
  std::int64_t bytes = 0;
  for (auto _ : state) {
    std::string wire = forward(in).serialize();
    bytes += static_cast<std::int64_t>(wire.size());
    benchmark::DoNotOptimize(wire);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// Bytes in to bytes out: parse the received INVITE, then forward it as above.
void parse_forward_one(benchmark::State& state, const SampleMessage* m) {
  require_parse(*m, "parse_forward");
  std::int64_t bytes = 0;
  for (auto _ : state) {
    sip::ParseResult r = Message::parse(m->bytes);
    std::string wire = forward(std::get<Message>(r)).serialize();
    bytes += static_cast<std::int64_t>(wire.size());
    benchmark::DoNotOptimize(wire);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

// Responses built from a parsed request (Message::make_response, RFC 3261
// 8.2.6) and serialized, as the transaction layer sends them.
enum class Reply { Trying, Ringing, RegisterOk, Challenge };

Message reply(const Message& req, Reply kind) {
  switch (kind) {
    case Reply::Trying:
      return Message::make_response(req, 100);
    case Reply::Ringing: {
      Message r = Message::make_response(req, 180, {}, "9fxced76sl");
      r.push_back(HeaderId::Contact, "<sip:bob@192.0.2.44:51023;transport=tls;ob>");
      return r;
    }
    case Reply::RegisterOk: {  // RFC 3261 10.3 step 8: the bindings, with expires
      Message r = Message::make_response(req, 200, {}, "3e8a1bc4d2");
      r.push_back(HeaderId::Contact,
                  "<sip:alice@192.0.2.10:49833;transport=tls;ob>;expires=3600;"
                  "+sip.instance=\"<urn:uuid:0f3a2b1c-4d5e-4f60-8172-93a4b5c6d7e8>\";reg-id=1;"
                  "pub-gruu=\"sip:alice@parley.test;gr=urn:uuid:0f3a2b1c-4d5e-4f60-8172-"
                  "93a4b5c6d7e8\"");
      r.push_back(HeaderId::Date, "Sat, 13 Nov 2010 23:29:00 GMT");
      r.push_back(HeaderId::Supported, "gruu, outbound, path");
      return r;
    }
    case Reply::Challenge: {  // RFC 3261 22.2; the second REGISTER answers it
      Message r = Message::make_response(req, 401, {}, "3e8a1bc4d2");
      r.push_back(HeaderId::WWWAuthenticate,
                  "Digest realm=\"parley.test\", "
                  "nonce=\"Zm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODlhYmNkZWY\", "
                  "opaque=\"ab12cd34\", algorithm=MD5, qop=\"auth\"");
      return r;
    }
  }
  return Message::make_response(req, 500);
}

void response_one(benchmark::State& state, const SampleMessage* m, Reply kind) {
  const Message req = require_parse(*m, "response");
  {
    SampleMessage check{m->name + " response", reply(req, kind).serialize()};
    require_parse(check, "response");
  }
  std::int64_t bytes = 0;
  for (auto _ : state) {
    std::string wire = reply(req, kind).serialize();
    bytes += static_cast<std::int64_t>(wire.size());
    benchmark::DoNotOptimize(wire);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(bytes);
}

}  // namespace

void register_message_benchmarks() {
  const SampleMessage* reg = &typical_register();
  const SampleMessage* inv = &typical_invite();

  benchmark::RegisterBenchmark("parse/register", parse_one, reg);
  benchmark::RegisterBenchmark("parse/invite", parse_one, inv);
  benchmark::RegisterBenchmark("parse/rfc4475_valid_set", parse_rfc4475_valid);
  for (const auto& m : rfc4475_valid())
    benchmark::RegisterBenchmark(("parse/rfc4475/" + m.name).c_str(), parse_one, &m);

  benchmark::RegisterBenchmark("parse_and_read/register", parse_and_read, reg);
  benchmark::RegisterBenchmark("parse_and_read/invite", parse_and_read, inv);

  benchmark::RegisterBenchmark("serialize/register", serialize_one, reg);
  benchmark::RegisterBenchmark("serialize/invite", serialize_one, inv);
  benchmark::RegisterBenchmark("serialize/rfc4475_valid_set", serialize_rfc4475_valid);

  benchmark::RegisterBenchmark("forward/invite", forward_one, inv);
  benchmark::RegisterBenchmark("parse_forward/invite", parse_forward_one, inv);

  benchmark::RegisterBenchmark("response/invite_100", response_one, inv, Reply::Trying);
  benchmark::RegisterBenchmark("response/invite_180", response_one, inv, Reply::Ringing);
  benchmark::RegisterBenchmark("response/register_401", response_one, reg, Reply::Challenge);
  benchmark::RegisterBenchmark("response/register_200", response_one, reg, Reply::RegisterOk);
}

}  // namespace parley::bench
