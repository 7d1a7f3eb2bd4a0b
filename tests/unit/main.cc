// The Catch2 entry point shared by every unit test file. Single-threaded.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
