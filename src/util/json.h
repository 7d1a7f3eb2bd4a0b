// The one JSON module of sbx: JsonWriter builds JSON text, parse_json reads text into a small
// immutable DOM (JsonValue), and JsonNode reads a DOM with errors that name the bad field.
// simdjson stays inside json.cc. Nothing here is shared between threads.
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "sbx/error.h"

namespace sbx {

// An integer type other than bool, int64_t and uint64_t, which have overloads of their own.
template <typename T>
concept OtherInteger = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, int64_t> &&
                       !std::same_as<T, uint64_t>;
// The 64-bit integer type of the same signedness as T.
template <typename T>
using Wide64 = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;

// Appends s to out as a quoted JSON string: control characters as \u00XX, valid UTF-8 passed
// through, each invalid UTF-8 byte replaced by U+FFFD.
void append_json_string(std::string& out, std::string_view s);

// The byte offset of the first invalid UTF-8 sequence in s, or nullopt when s is valid UTF-8.
std::optional<size_t> find_invalid_utf8(std::string_view s);

// Builds JSON text, compact or pretty (2-space indent, "key": value). Calls must nest properly:
// inside an object, each value follows a key().
class JsonWriter {
 public:
  explicit JsonWriter(bool pretty = false) : pretty_(pretty) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view k);

  JsonWriter& value(std::string_view s);
  JsonWriter& value(const char* s) { return value(std::string_view(s)); }
  JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
  JsonWriter& value(bool b);
  JsonWriter& value(int64_t n);
  JsonWriter& value(uint64_t n);
  JsonWriter& value(double d);  // NaN and infinities become null; 1.0 stays "1.0"
  // Other integer types (int, unsigned, long long, ...) widen to int64_t or uint64_t.
  template <OtherInteger T>
  JsonWriter& value(T n) {
    return value(static_cast<Wide64<T>>(n));
  }
  JsonWriter& null_value();

  // key(k) followed by value(v), or null_value() when an optional is empty.
  template <typename T>
  JsonWriter& field(std::string_view k, const T& v) {
    key(k);
    return value(v);
  }
  template <typename T>
  JsonWriter& field(std::string_view k, const std::optional<T>& v) {
    key(k);
    return v ? value(*v) : null_value();
  }
  // An array of strings.
  JsonWriter& value(const std::vector<std::string>& items);

  const std::string& str() const { return out_; }
  std::string take() { return std::move(out_); }

 private:
  struct Frame {
    bool object;
    bool empty = true;
  };
  void before_value();
  JsonWriter& open(char bracket, bool object);
  JsonWriter& close(char bracket);
  void newline_indent();

  std::string out_;
  std::vector<Frame> stack_;
  bool pretty_;
  bool after_key_ = false;
};

// A parsed JSON value: null, bool, number (int64, uint64 above INT64_MAX, or double), string,
// array, or object with its keys in document order (duplicate keys are rejected by parse_json).
class JsonValue {
 public:
  enum class Type { kNull, kBool, kInt, kUint, kDouble, kString, kArray, kObject };
  using Array = std::vector<JsonValue>;
  using Member = std::pair<std::string, JsonValue>;
  using Object = std::vector<Member>;

  JsonValue() = default;  // null
  explicit JsonValue(bool b) : v_(b) {}
  explicit JsonValue(int64_t n) : v_(n) {}
  explicit JsonValue(uint64_t n);  // stored as an int64 when it fits
  explicit JsonValue(double d) : v_(d) {}
  template <OtherInteger T>
  explicit JsonValue(T n) : JsonValue(static_cast<Wide64<T>>(n)) {}
  explicit JsonValue(std::string s) : v_(std::move(s)) {}
  explicit JsonValue(const char* s) : v_(std::string(s)) {}
  explicit JsonValue(Array a) : v_(std::move(a)) {}
  explicit JsonValue(Object o) : v_(std::move(o)) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return type() == Type::kNull; }
  bool is_bool() const { return type() == Type::kBool; }
  bool is_int() const { return type() == Type::kInt || type() == Type::kUint; }  // an integer
  bool is_number() const { return is_int() || type() == Type::kDouble; }
  bool is_string() const { return type() == Type::kString; }
  bool is_array() const { return type() == Type::kArray; }
  bool is_object() const { return type() == Type::kObject; }

  // Unchecked reads: the value when the type matches, else false, 0, "" or empty. Use JsonNode
  // where a wrong type must become an error.
  bool as_bool() const;
  int64_t as_int() const;    // also an integral double or a uint64 that fits; else 0
  uint64_t as_uint() const;  // also a non-negative int64; else 0
  double as_double() const;  // any number
  const std::string& as_string() const;
  const Array& elements() const;  // an array's elements
  const Object& items() const;    // an object's (key, value) members, in document order
  size_t size() const;            // elements or members; 0 for scalars

  // The member named key, or nullptr (also when this is not an object).
  const JsonValue* get(std::string_view key) const;
  // The element at index, or nullptr.
  const JsonValue* at(size_t index) const;

  // "null", "boolean", "integer", "number", "string", "array" or "object".
  const char* type_name() const;
  // Compact JSON text of this value.
  std::string dump(bool pretty = false) const;
  void write(JsonWriter& w) const;

  friend bool operator==(const JsonValue& a, const JsonValue& b) { return a.v_ == b.v_; }

 private:
  std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, Array, Object> v_;
};

// Parses one JSON document (RFC 8259; nesting up to 1024 levels). Errors say what is wrong and,
// when known, where: "invalid JSON at line 2, column 7 (byte 15): bad structure (...)".
Result<JsonValue> parse_json(std::string_view text);

// A JsonValue plus its path in the document ("syscalls[2].names"), for decoding documents such as
// OCI seccomp profiles: every failed read is an invalid-argument Error naming the field.
class JsonNode {
 public:
  explicit JsonNode(const JsonValue& value, std::string path = "")
      : v_(&value), path_(std::move(path)) {}

  const JsonValue& value() const { return *v_; }
  const std::string& path() const { return path_; }  // "" for the document itself

  // A required member: an error when this is not an object or the key is missing.
  Result<JsonNode> at(std::string_view key) const;
  // An optional member: empty when missing or null; an error when this is not an object.
  Result<std::optional<JsonNode>> find(std::string_view key) const;
  // An array's elements ("path[i]") or an object's members ("path.key"); an error otherwise.
  Result<std::vector<JsonNode>> elements() const;
  Result<std::vector<std::pair<std::string, JsonNode>>> items() const;

  Result<std::string> string() const;
  Result<int64_t> int64() const;    // an integer that fits in int64
  Result<uint64_t> uint64() const;  // a non-negative integer
  Result<double> number() const;
  Result<bool> boolean() const;
  Result<std::vector<std::string>> strings() const;  // an array of strings

  // Shortcuts for members: required, or with a fallback when missing or null.
  Result<std::string> string_at(std::string_view key) const;
  Result<std::string> string_or(std::string_view key, std::string fallback) const;
  Result<int64_t> int64_at(std::string_view key) const;
  Result<int64_t> int64_or(std::string_view key, int64_t fallback) const;
  Result<bool> boolean_or(std::string_view key, bool fallback) const;

  // An invalid-argument Error "<path>: <what>", for the caller's own checks of a value.
  Error error(std::string_view what) const;

 private:
  Error type_error(const char* expected) const;
  JsonNode child(std::string_view key, const JsonValue& v) const;

  const JsonValue* v_;
  std::string path_;
};

}  // namespace sbx
