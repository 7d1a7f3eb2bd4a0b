// How the sbx command line prints: data to stdout, flushed and checked; each error as one line
// "sbx: <message>" on stderr; plain aligned tables whose cells never hold a control character.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sbx/error.h"

namespace sbx::cli {

// line and a newline to stdout, flushed; an error when the write fails.
Status print_line(std::string_view line);
// An id alone on its line, or {"id": "..."} with json.
Status print_id(const std::string& id, bool json);
// "sbx: <message>" as a single line on stderr.
void print_error(std::string_view message);

// Left-aligned columns separated by three spaces; the last column is not padded.
using Row = std::vector<std::string>;
std::string format_table(const Row& header, const std::vector<Row>& rows);
Status print_table(const Row& header, const std::vector<Row>& rows);

// A table cell: control characters shown as '?', and "-" for an empty value.
std::string cell(std::string_view s);
// A timestamp for tables: "2024-05-01T12:00:00Z" (UTC, whole seconds); "-" for 0.
std::string table_time(double seconds);
// argv as one shell-like line, arguments with spaces or quotes in single quotes, cut to at
// most max_chars with "...".
std::string command_line(const std::vector<std::string>& argv, size_t max_chars);

}  // namespace sbx::cli
