// Phase marks for profiling: with SBX_TRACE set in the environment, each mark writes one line
// "sbx-trace PID MICROSECONDS FAULTS NAME" (CLOCK_MONOTONIC; FAULTS: the process's minor page
// faults so far) to stderr, so the lines of the CLI, the supervisor and pid 1 of one command
// merge into one timeline (sort -k3 -n). Without it a mark
// is one load and branch. SBX_TRACE=/abs/path appends the lines to that file instead, which
// also catches detached supervisors (their stderr is /dev/null); marks made inside a sandbox
// after its pivot_root cannot reach the file and are lost. Only for reading where time goes.
#pragma once

namespace sbx {

// Reads SBX_TRACE once; called from main() before anything else.
void trace_init();
// Writes the mark when tracing; async-signal-safe (clock_gettime, getrusage and one write).
void trace_mark(const char* name);

}  // namespace sbx
