// Benchmark registration for the microbenchmark binaries (bench/README.md, "Microbenchmarks").
//
// Benchmarks are registered at run time (benchmark::RegisterBenchmark) rather
// than by static BENCHMARK() objects, so that the RFC 4475 set can be read from
// its manifest first and one benchmark registered per message.
#pragma once

namespace parley::bench {

// micro_sip: sip::Message parse, serialize, proxy forwarding and responses.
void register_message_benchmarks();
// micro_sip: sip::parse_uri and sip::parse_name_addr.
void register_uri_benchmarks();
// micro_auth: Digest Authorization parsing (sip/auth).
void register_auth_benchmarks();

// Runs Google Benchmark with the command line after `register_all` has
// registered the binary's benchmarks. Returns the process exit status.
int run(int argc, char** argv, void (*register_all)());

}  // namespace parley::bench
