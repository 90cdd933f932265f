// micro_sip: parse, serialize, forward, respond; URIs and name-addrs.
#include "micro.hpp"

int main(int argc, char** argv) {
  return parley::bench::run(argc, argv, [] {
    parley::bench::register_message_benchmarks();
    parley::bench::register_uri_benchmarks();
  });
}
