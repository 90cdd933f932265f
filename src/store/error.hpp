// Failures of a store's back end (a database that cannot be opened, a disk error,
// a schema newer than this program). Expected outcomes (no such user, duplicate
// AOR) are return values, not errors.
#pragma once

#include <stdexcept>

namespace parley::store {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace parley::store
