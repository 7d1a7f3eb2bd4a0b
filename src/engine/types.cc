// The names of the closed sets in types.h, as the store, the JSON views and the CLI spell them.
#include "sbx/types.h"

#include <array>
#include <utility>

namespace sbx {

namespace {

constexpr std::array<std::pair<EndReason, const char*>, 8> kEndReasonNames{{
    {EndReason::kNone, ""},
    {EndReason::kExit, "exit"},
    {EndReason::kSignal, "signal"},
    {EndReason::kTimeout, "timeout"},
    {EndReason::kIdle, "idle"},
    {EndReason::kTerminated, "terminated"},
    {EndReason::kLost, "lost"},
    {EndReason::kOom, "oom"},
}};

}  // namespace

// kNone is "" (the store's "not ended").
const char* end_reason_name(EndReason r) {
  for (const auto& [reason, name] : kEndReasonNames) {
    if (reason == r) return name;
  }
  return "";
}

// "" and unknown names are kNone.
EndReason end_reason_from_name(const std::string& s) {
  for (const auto& [reason, name] : kEndReasonNames) {
    if (s == name) return reason;
  }
  return EndReason::kNone;
}

}  // namespace sbx
