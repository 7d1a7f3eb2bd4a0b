// Output files with a size cap: what a sandbox writes to a logged stream goes to its file up to
// kLogCapBytes, then one marker line; the rest is read and thrown away, so an endless flood can
// neither fill the host's disk nor block the writer. Single-threaded, on the supervisor's loop.
#pragma once

#include <cstdint>

#include "stream/event_loop.h"

namespace sbx {

inline constexpr int64_t kLogCapBytes = int64_t{64} << 20;  // per stream

// Copies src into file (opened O_APPEND) up to cap bytes, then discards into dev_null; calls
// done once at EOF on src (or on an error). src is made non-blocking. Closes nothing.
void pump_capped(EventLoop& loop, int src, int file, int dev_null, int64_t cap,
                 EventLoop::DoneFn done);

}  // namespace sbx
