// Replays fuzz inputs without libFuzzer: calls LLVMFuzzerTestOneInput once for
// every regular file named on the command line or found (recursively, in name
// order) under a directory named there. Linked with one fuzz target it makes
// replay_<target>, which ctest runs over the target's corpus
// (tests/fuzz/CMakeLists.txt), so the corpora are regression tests in every
// build, g++ or clang.
//
// Each path is printed before it runs, so the last line of a failed run names
// the input that broke it. Exit status: 0 when every input ran, 2 on a usage
// error or an unreadable or missing path (a corpus that silently vanished must
// not pass); a failed check inside the target aborts the process.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& p, std::vector<std::uint8_t>& out) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// The regular files at `root`: itself, or every file beneath it, sorted so runs
// are repeatable.
bool collect(const fs::path& root, std::vector<fs::path>& files) {
  std::error_code ec;
  if (fs::is_regular_file(root, ec)) {
    files.push_back(root);
    return true;
  }
  if (!fs::is_directory(root, ec)) return false;
  std::vector<fs::path> found;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) found.push_back(it->path());
  }
  if (ec) return false;
  std::sort(found.begin(), found.end());
  files.insert(files.end(), found.begin(), found.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (!collect(argv[i], files)) {
      std::fprintf(stderr, "%s: no such file or directory\n", argv[i]);
      return 2;
    }
  }
  std::size_t bytes = 0;
  std::vector<std::uint8_t> data;
  for (const auto& f : files) {
    std::printf("%s\n", f.c_str());
    std::fflush(stdout);
    if (!read_file(f, data)) {
      std::fprintf(stderr, "%s: cannot read\n", f.c_str());
      return 2;
    }
    bytes += data.size();
    // A copy in an allocation of exactly its size (non-null even when empty,
    // as libFuzzer gives), so a read past the end is caught by ASan.
    auto input = std::make_unique<std::uint8_t[]>(data.size());
    std::copy(data.begin(), data.end(), input.get());
    LLVMFuzzerTestOneInput(input.get(), data.size());
  }
  std::printf("replayed %zu inputs (%zu bytes) from %d paths\n", files.size(), bytes, argc - 1);
  return 0;
}
