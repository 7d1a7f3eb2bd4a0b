// Phase marks for profiling: with SBX_TRACE set in the environment, each mark writes one line
// "sbx-trace PID MICROSECONDS NAME" (CLOCK_MONOTONIC) to stderr, so the lines of the CLI, the
// supervisor and pid 1 of one command merge into one timeline (sort -k3 -n). Without it a mark
// is one load and branch. Never used for anything but reading where the time goes.
#pragma once

namespace sbx {

// Reads SBX_TRACE once; called from main() before anything else.
void trace_init();
// Writes the mark when tracing; async-signal-safe (clock_gettime and one write).
void trace_mark(const char* name);

}  // namespace sbx
