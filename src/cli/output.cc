// Printing for the sbx command line: checked writes to stdout, the one-line error format, and
// tables safe to show on a terminal (no escape sequences from sandbox names or commands).
#include "cli/output.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "engine/views.h"
#include "util/json.h"

namespace sbx::cli {

Status print_line(std::string_view line) {
  bool ok = std::fwrite(line.data(), 1, line.size(), stdout) == line.size() &&
            std::fputc('\n', stdout) != EOF && std::fflush(stdout) == 0;
  if (!ok) return sys_error("writing to standard output");
  return {};
}

Status print_id(const std::string& id, bool json) {
  if (!json) return print_line(id);
  return print_line(JsonWriter().begin_object().field("id", id).end_object().str());
}

void print_error(std::string_view message) {
  std::string line = "sbx: ";
  for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  std::fputs(line.c_str(), stderr);
}

namespace {

// Terminal columns of a UTF-8 string, counting one per code point.
size_t display_width(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// A valid UTF-8 run with its ASCII and C1 control characters replaced by '?'.
void append_without_controls(std::string& out, std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    bool c1 = c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0;
    if (c < 0x20 || c == 0x7F || c1) {
      out += '?';
      i += c1;
    } else {
      out += s[i];
    }
  }
}

bool needs_quotes(std::string_view arg) {
  if (arg.empty()) return true;
  for (char c : arg) {
    bool plain = std::isalnum(static_cast<unsigned char>(c)) ||
                 std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
    if (!plain) return true;
  }
  return false;
}

std::string shell_quote(std::string_view arg) {
  if (!needs_quotes(arg)) return std::string(arg);
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// s cut to at most max_chars bytes, never inside a UTF-8 sequence, ending in "...".
std::string truncate(std::string s, size_t max_chars) {
  if (s.size() <= max_chars || max_chars < 4) return s;
  size_t end = max_chars - 3;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "...";
}

}  // namespace

std::string cell(std::string_view s) {
  if (s.empty()) return "-";
  std::string out;
  while (!s.empty()) {
    size_t bad = find_invalid_utf8(s).value_or(s.size());
    append_without_controls(out, s.substr(0, bad));
    if (bad == s.size()) break;
    out += '?';
    s.remove_prefix(bad + 1);
  }
  return out;
}

std::string format_table(const Row& header, const std::vector<Row>& rows) {
  std::vector<size_t> widths(header.size(), 0);
  auto measure = [&](const Row& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i]));
    }
  };
  measure(header);
  for (const Row& row : rows) measure(row);
  std::string out;
  auto emit = [&](const Row& row) {
    for (size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      out += row[i];
      bool last = i + 1 == row.size() || i + 1 == widths.size();
      if (!last) out.append(widths[i] - display_width(row[i]) + 3, ' ');
    }
    out += '\n';
  };
  emit(header);
  for (const Row& row : rows) emit(row);
  return out;
}

Status print_table(const Row& header, const std::vector<Row>& rows) {
  std::string text = format_table(header, rows);
  text.pop_back();  // print_line adds the last newline
  return print_line(text);
}

std::string table_time(double seconds) {
  if (seconds == 0) return "-";
  std::string t = rfc3339(seconds);  // "2024-05-01T12:00:00.123Z"
  return t.substr(0, 19) + "Z";
}

std::string command_line(const std::vector<std::string>& argv, size_t max_chars) {
  std::string line;
  for (const std::string& arg : argv) {
    if (!line.empty()) line += ' ';
    line += shell_quote(arg);
  }
  return cell(truncate(std::move(line), max_chars));
}

}  // namespace sbx::cli
