// micro_auth: Digest Authorization parsing.
#include "micro.hpp"

int main(int argc, char** argv) {
  return parley::bench::run(argc, argv, [] { parley::bench::register_auth_benchmarks(); });
}
