// The parley executable: everything is in the app module (app/cli.hpp).
#include "app/cli.hpp"

int main(int argc, char** argv) { return parley::app::run_cli(argc, argv); }
