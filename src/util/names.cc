// Name rules (names.h), in ASCII whatever the locale.
#include "util/names.h"

namespace sbx {

namespace {

bool is_ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

bool is_env_key(std::string_view key) {
  if (key.empty() || is_ascii_digit(key.front())) return false;
  for (char c : key)
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '_') return false;
  return true;
}

bool is_plain_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!is_ascii_letter(name.front()) && !is_ascii_digit(name.front())) return false;
  for (char c : name)
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '.' && c != '_' && c != '-') return false;
  return true;
}

}  // namespace sbx
