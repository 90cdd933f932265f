#pragma once

#include "config/config.hpp"

namespace parley::app { int serve(const config::Config& cfg); }
