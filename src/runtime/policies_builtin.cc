// The seccomp profiles built into sbx, so that an installed sbx needs no data files. Their text
// is policies/NAME.json itself, embedded at build time (the Makefile generates policies.inc).
#include <string_view>

#include "runtime/seccomp.h"

namespace sbx {

namespace {

struct Builtin {
  const char* name;
  std::string_view json;
};
constexpr Builtin kBuiltins[] = {
#include "policies.inc"
};

}  // namespace

std::vector<std::string> builtin_policy_names() {
  std::vector<std::string> out;
  for (const auto& b : kBuiltins) out.emplace_back(b.name);
  return out;
}

std::optional<std::string_view> builtin_policy_text(std::string_view name) {
  for (const auto& b : kBuiltins)
    if (name == b.name) return b.json;
  return std::nullopt;
}

}  // namespace sbx
