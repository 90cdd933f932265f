// sip::parse_uri and sip::parse_name_addr (RFC 3261 19.1, 20.10, 25.1) on the
// URIs and header values a Front End sees on every request: AORs, contacts
// with outbound and GRUU parameters, Record-Route entries, IPv6 and tel.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "corpus.hpp"
#include "micro.hpp"
#include "sip/uri.hpp"

namespace parley::bench {
namespace {

struct Sample {
  const char* name;
  const char* text;
};

constexpr Sample kUris[] = {
    {"aor", "sip:alice@parley.test"},
    {"contact", "sip:alice@192.0.2.10:49833;transport=tls;ob"},
    {"gruu", "sip:alice@parley.test;gr=urn:uuid:0f3a2b1c-4d5e-4f60-8172-93a4b5c6d7e8"},
    {"record_route", "sip:fe01.parley.test:5061;transport=tls;lr;dt=Dq3bA9kLr0xv2c7N"},
    {"ipv6", "sips:bob@[2001:db8::10]:5061;transport=tls"},
    {"phone", "sip:+15551234567;phone-context=parley.test@gw.parley.test;user=phone"},
    {"escaped", "sip:%61lice%40home@parley.test;method=INVITE?Subject=hello%20there"},
    {"tel", "tel:+1-555-123-4567"},
};

constexpr Sample kNameAddrs[] = {
    {"from", "\"Alice Example\" <sip:alice@parley.test>;tag=a73kszlfl;epid=1f2e3d4c5b"},
    {"to", "<sip:bob@parley.test>"},
    {"contact",
     "<sip:alice@192.0.2.10:49833;transport=tls;ob>;methods=\"INVITE, MESSAGE, INFO, "
     "SUBSCRIBE, OPTIONS, BYE, CANCEL, NOTIFY, ACK, REFER, BENOTIFY\";"
     "+sip.instance=\"<urn:uuid:0f3a2b1c-4d5e-4f60-8172-93a4b5c6d7e8>\";reg-id=1;expires=3600"},
    {"record_route", "<sip:edge.parley.test:5061;transport=tls;lr;ms-edge-proxy-leg=ext>"},
    {"addr_spec", "sip:+19725552222@gw1.example.net;unknownparam"},
};

void check_uri(const Sample& s) {
  std::string error;
  if (!sip::parse_uri(s.text, &error))
    fail(std::string("parse_uri: ") + s.name + " does not parse: " + error);
}

void check_name_addr(const Sample& s) {
  std::string error;
  if (!sip::parse_name_addr(s.text, &error))
    fail(std::string("parse_name_addr: ") + s.name + " does not parse: " + error);
}

template <auto Parse>
void parse_set(benchmark::State& state, std::vector<Sample> set) {
  std::int64_t bytes = 0;
  for (const auto& s : set) bytes += static_cast<std::int64_t>(std::string_view(s.text).size());
  for (auto _ : state) {
    for (const auto& s : set) {
      auto r = Parse(s.text, nullptr);
      benchmark::DoNotOptimize(r);
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(set.size()));
  state.SetBytesProcessed(state.iterations() * bytes);
}

}  // namespace

void register_uri_benchmarks() {
  std::vector<Sample> uris(std::begin(kUris), std::end(kUris));
  std::vector<Sample> name_addrs(std::begin(kNameAddrs), std::end(kNameAddrs));
  for (const auto& s : uris) check_uri(s);
  for (const auto& s : name_addrs) check_name_addr(s);

  for (const auto& s : uris)
    benchmark::RegisterBenchmark((std::string("parse_uri/") + s.name).c_str(),
                                 parse_set<sip::parse_uri>, std::vector<Sample>{s});
  benchmark::RegisterBenchmark("parse_uri/all", parse_set<sip::parse_uri>, uris);
  for (const auto& s : name_addrs)
    benchmark::RegisterBenchmark((std::string("parse_name_addr/") + s.name).c_str(),
                                 parse_set<sip::parse_name_addr>, std::vector<Sample>{s});
  benchmark::RegisterBenchmark("parse_name_addr/all", parse_set<sip::parse_name_addr>,
                               name_addrs);
}

}  // namespace parley::bench
