// The shared main of the microbenchmark binaries (micro.hpp).
#include <benchmark/benchmark.h>

#include "micro.hpp"

namespace parley::bench {

int run(int argc, char** argv, void (*register_all)()) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace parley::bench
