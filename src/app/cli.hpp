// The `parley` command line (CLI11).
//
//   parley serve       [--config FILE]              run the server (app/serve.hpp)
//   parley cert init   [--config FILE]              create the private CA and server certificate
//   parley user add    AOR --password P [--display-name N] [--config FILE]
//   parley user list   [--config FILE]
//   parley user remove AOR [--config FILE]
//   parley user passwd AOR --password P [--config FILE]
//   parley contacts list|groups AOR [--config FILE]  a user's server-stored contact list
//   parley contacts add    AOR CONTACT [--name N] [--group G]... [--config FILE]
//   parley contacts remove AOR CONTACT [--config FILE]
//   parley contacts add-group AOR NAME [--config FILE]
//   parley ports       [--format table|json]        the port catalogue
//   parley version
//
// Without --config the built-in defaults are used (config::load(nullopt)). A
// password of "-" is read from the first line of standard input. Errors are
// printed on stderr and give a non-zero exit status: 1 for a failed operation
// (no such user, user exists, I/O or certificate error), 2 for a command-line or
// configuration error.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace parley::app {

// The executable's entry point: run_cli with std::cin, std::cout and std::cerr.
int run_cli(int argc, char** argv);

// `args` are the arguments after the program name. Returns the exit status.
int run_cli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
            std::ostream& err);

}  // namespace parley::app
