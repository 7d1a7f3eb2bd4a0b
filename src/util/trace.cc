// Phase marks (trace.h): a plain global flag, formatted by hand so a mark can be made anywhere,
// pid 1 and a vfork child included, without allocating.
#include "util/trace.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

namespace sbx {

namespace {

bool g_tracing = false;
const char* g_trace_file = nullptr;  // SBX_TRACE=/path: marks are appended there, not to stderr

// Writes v in decimal backwards ending at end; returns the first digit.
char* put_decimal(char* end, unsigned long long v) {
  do {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  return end;
}

}  // namespace

void trace_init() {
  const char* v = getenv("SBX_TRACE");
  g_tracing = v != nullptr && *v != '\0';
  if (g_tracing && *v == '/') g_trace_file = v;
}

void trace_mark(const char* name) {
  if (!g_tracing) return;
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  char line[160];
  char* end = line + 64;
  char* p = put_decimal(end, static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
                                 static_cast<unsigned long long>(ts.tv_nsec) / 1000);
  *--p = ' ';
  p = put_decimal(p, static_cast<unsigned long long>(getpid()));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const char prefix[] = "sbx-trace ";
  p -= sizeof prefix - 1;
  for (size_t i = 0; i < sizeof prefix - 1; ++i) p[i] = prefix[i];
  char* q = end;
  *q++ = ' ';
  char digits[24];
  char* const digits_end = digits + sizeof digits;
  for (char* d = put_decimal(digits_end, static_cast<unsigned long long>(usage.ru_minflt));
       d < digits_end;)
    *q++ = *d++;
  *q++ = ' ';
  for (const char* n = name; *n != '\0' && q < line + sizeof line - 1; ++n) *q++ = *n;
  *q++ = '\n';
  // A file is opened per mark: detached supervisors close every inherited descriptor.
  int fd = g_trace_file != nullptr
               ? open(g_trace_file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)
               : 2;
  if (fd < 0) return;
  (void)!write(fd, p, static_cast<size_t>(q - p));
  if (fd != 2) close(fd);
}

}  // namespace sbx
