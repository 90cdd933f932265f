// The program's version, as in the top-level CMakeLists.txt project() call.
#pragma once

#include <string_view>

namespace parley::app {

inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace parley::app
