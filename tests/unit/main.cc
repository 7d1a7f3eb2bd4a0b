// The unit-test runner: Catch2's, after remembering argv the way sbx's own main() does (the
// runtime retitles forked processes with it).
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "util/proctitle.h"

int main(int argc, char** argv) {
  sbx::remember_process_args(argc, argv);
  return Catch::Session().run(argc, argv);
}
