// Object ids in Modal's shape: a short prefix ("ap", "sb", "pr") and random alphanumerics, from
// getrandom(2). Also the clock used for every timestamp sbx records.
#pragma once

#include <string>

namespace sbx {

// prefix + "-" + 24 random characters from [0-9A-Za-z].
std::string new_id(const char* prefix);
// True when s looks like an id of that prefix.
bool is_id(const std::string& s, const char* prefix);
// Seconds since the epoch, with sub-second precision.
double now_seconds();

}  // namespace sbx
