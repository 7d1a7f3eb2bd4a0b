// The character rules of names sbx accepts, checked by hand: std::regex costs a compile at
// first use and a surprising amount of startup time for what are two simple loops.
#pragma once

#include <string_view>

namespace sbx {

// True when key matches [A-Za-z_][A-Za-z0-9_]*: environment variable names.
bool is_env_key(std::string_view key);

// True when name matches [A-Za-z0-9][A-Za-z0-9._-]{0,62}: app, sandbox, image and secret names.
bool is_plain_name(std::string_view name);

}  // namespace sbx
