// `parley serve`: runs the Standard Edition Front End described by `cfg` in
// this process until SIGINT or SIGTERM (see serve.cpp for the wiring).
#pragma once

#include "config/config.hpp"

namespace parley::app {

// Creates the data directory, CA and server certificate if missing, opens the
// SQLite store and the catalogue's listeners, and serves. Returns the process
// exit status: 0 after a signal, 1 when a listener cannot be opened. Throws
// (pki::PkiError, store::StoreError, net::TlsError) on a broken data directory.
int serve(const config::Config& cfg);

}  // namespace parley::app
