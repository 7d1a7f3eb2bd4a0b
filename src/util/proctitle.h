// The process title: what /proc/PID/cmdline (and so ps) shows. The supervisor and a sandbox's
// pid 1 are forks of the CLI; without this they would show the CLI's whole command line, to
// the host's users and, for pid 1, to the sandbox itself.
#pragma once

namespace sbx {

// Called once from main() with its argc/argv.
void remember_process_args(int argc, char** argv);
// Overwrites the remembered argument area with title (truncated to fit), zero-filled.
void set_process_title(const char* title);

}  // namespace sbx
