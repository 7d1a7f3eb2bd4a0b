// JSON text in and out: the writer with its string escaping, the DOM built from simdjson's DOM
// parser, and the checked field reads. The only file of sbx that includes simdjson.h.
#include "util/json.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <unordered_set>

namespace sbx {

// ---- UTF-8 and string escaping ----

namespace {

constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence starting at s[i], or 0 when it is not valid (overlong
// forms, surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  unsigned char c = byte(0);
  if (c < 0x80) return 1;
  size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c < 0xC2 || c > 0xF4) return 0;
  if (c == 0xE0) lo = 0xA0;
  if (c == 0xED) hi = 0x9F;
  if (c == 0xF0) lo = 0x90;
  if (c == 0xF4) hi = 0x8F;
  if (i + len > s.size() || byte(1) < lo || byte(1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (!is_continuation(byte(k))) return 0;
  }
  return len;
}

void append_escaped_ascii(std::string& out, char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\u00";
    out += kHex[(c >> 4) & 0xF];
    out += kHex[c & 0xF];
    return;
  }
  out += c;
}

}  // namespace

std::optional<size_t> find_invalid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t len = utf8_sequence_length(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::nullopt;
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (size_t i = 0; i < s.size();) {
    size_t len = utf8_sequence_length(s, i);
    if (len == 1) {
      append_escaped_ascii(out, s[i]);
    } else if (len == 0) {
      out += kReplacementChar;
      len = 1;
    } else {
      out.append(s, i, len);
    }
    i += len;
  }
  out += '"';
}

// ---- JsonWriter ----

void JsonWriter::newline_indent() {
  out_ += '\n';
  out_.append(stack_.size() * 2, ' ');
}

// Separates this value from the previous one and indents it, unless it follows a key.
void JsonWriter::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (stack_.empty()) return;
  if (!stack_.back().empty) out_ += ',';
  stack_.back().empty = false;
  if (pretty_) newline_indent();
}

JsonWriter& JsonWriter::open(char bracket, bool object) {
  before_value();
  out_ += bracket;
  stack_.push_back(Frame{object});
  return *this;
}

JsonWriter& JsonWriter::close(char bracket) {
  bool empty = stack_.empty() || stack_.back().empty;
  if (!stack_.empty()) stack_.pop_back();
  if (pretty_ && !empty) newline_indent();
  out_ += bracket;
  return *this;
}

JsonWriter& JsonWriter::begin_object() { return open('{', true); }
JsonWriter& JsonWriter::end_object() { return close('}'); }
JsonWriter& JsonWriter::begin_array() { return open('[', false); }
JsonWriter& JsonWriter::end_array() { return close(']'); }

JsonWriter& JsonWriter::key(std::string_view k) {
  before_value();
  append_json_string(out_, k);
  out_ += pretty_ ? ": " : ":";
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view s) {
  before_value();
  append_json_string(out_, s);
  return *this;
}

JsonWriter& JsonWriter::value(bool b) {
  before_value();
  out_ += b ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::value(int64_t n) {
  before_value();
  out_ += std::to_string(n);
  return *this;
}

JsonWriter& JsonWriter::value(uint64_t n) {
  before_value();
  out_ += std::to_string(n);
  return *this;
}

// The shortest text that reads back as the same double, kept recognisable as a double.
JsonWriter& JsonWriter::value(double d) {
  if (!std::isfinite(d)) return null_value();
  before_value();
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  std::string_view text(buf, ec == std::errc() ? end - buf : 0);
  out_ += text;
  if (text.find_first_of(".e") == std::string_view::npos) out_ += ".0";
  return *this;
}

JsonWriter& JsonWriter::null_value() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::value(const std::vector<std::string>& items) {
  begin_array();
  for (const auto& item : items) value(item);
  return end_array();
}

// ---- JsonValue ----

JsonValue::JsonValue(uint64_t n) {
  if (n <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    v_ = static_cast<int64_t>(n);
  } else {
    v_ = n;
  }
}

bool JsonValue::as_bool() const { return is_bool() && std::get<bool>(v_); }

int64_t JsonValue::as_int() const {
  switch (type()) {
    case Type::kInt: return std::get<int64_t>(v_);
    case Type::kDouble: {
      double d = std::get<double>(v_);
      bool fits = d >= -0x1p63 && d < 0x1p63 && d == std::trunc(d);
      return fits ? static_cast<int64_t>(d) : 0;
    }
    default: return 0;  // a uint64 here never fits
  }
}

uint64_t JsonValue::as_uint() const {
  if (type() == Type::kUint) return std::get<uint64_t>(v_);
  int64_t n = as_int();
  return n > 0 ? static_cast<uint64_t>(n) : 0;
}

double JsonValue::as_double() const {
  switch (type()) {
    case Type::kInt: return static_cast<double>(std::get<int64_t>(v_));
    case Type::kUint: return static_cast<double>(std::get<uint64_t>(v_));
    case Type::kDouble: return std::get<double>(v_);
    default: return 0;
  }
}

const std::string& JsonValue::as_string() const {
  static const std::string kEmpty;
  return is_string() ? std::get<std::string>(v_) : kEmpty;
}

const JsonValue::Array& JsonValue::elements() const {
  static const Array kEmpty;
  return is_array() ? std::get<Array>(v_) : kEmpty;
}

const JsonValue::Object& JsonValue::items() const {
  static const Object kEmpty;
  return is_object() ? std::get<Object>(v_) : kEmpty;
}

size_t JsonValue::size() const { return is_array() ? elements().size() : items().size(); }

const JsonValue* JsonValue::get(std::string_view key) const {
  for (const auto& [k, v] : items()) {
    if (k == key) return &v;
  }
  return nullptr;
}

const JsonValue* JsonValue::at(size_t index) const {
  const Array& a = elements();
  return index < a.size() ? &a[index] : nullptr;
}

const char* JsonValue::type_name() const {
  switch (type()) {
    case Type::kNull: return "null";
    case Type::kBool: return "boolean";
    case Type::kInt:
    case Type::kUint: return "integer";
    case Type::kDouble: return "number";
    case Type::kString: return "string";
    case Type::kArray: return "array";
    case Type::kObject: return "object";
  }
  return "null";
}

void JsonValue::write(JsonWriter& w) const {
  switch (type()) {
    case Type::kNull: w.null_value(); return;
    case Type::kBool: w.value(std::get<bool>(v_)); return;
    case Type::kInt: w.value(std::get<int64_t>(v_)); return;
    case Type::kUint: w.value(std::get<uint64_t>(v_)); return;
    case Type::kDouble: w.value(std::get<double>(v_)); return;
    case Type::kString: w.value(std::get<std::string>(v_)); return;
    case Type::kArray:
      w.begin_array();
      for (const auto& e : elements()) e.write(w);
      w.end_array();
      return;
    case Type::kObject:
      w.begin_object();
      for (const auto& [k, v] : items()) v.write(w.key(k));
      w.end_object();
      return;
  }
}

std::string JsonValue::dump(bool pretty) const {
  JsonWriter w(pretty);
  write(w);
  return w.take();
}

// ---- parse_json ----

namespace {

namespace dom = simdjson::dom;
namespace ondemand = simdjson::ondemand;

// What a simdjson error means, in words a user of sbx can act on.
std::string describe(simdjson::error_code err) {
  switch (err) {
    case simdjson::EMPTY: return "no JSON value (the input is empty)";
    case simdjson::TAPE_ERROR:
      return "bad structure (a missing or extra comma, colon, brace, bracket or key, or text after "
             "the value)";
    case simdjson::DEPTH_ERROR: return "nested too deeply (more than 1024 levels)";
    case simdjson::STRING_ERROR: return "bad string (an invalid escape or unpaired surrogate)";
    case simdjson::UNCLOSED_STRING: return "a string is never closed";
    case simdjson::NUMBER_ERROR:
      return "bad number (malformed, or beyond the 64-bit integer or double range)";
    case simdjson::T_ATOM_ERROR:
    case simdjson::F_ATOM_ERROR:
    case simdjson::N_ATOM_ERROR: return "bad literal (expected true, false or null)";
    case simdjson::UTF8_ERROR: return "invalid UTF-8";
    case simdjson::UNESCAPED_CHARS: return "a control character inside a string";
    case simdjson::CAPACITY: return "the document is too large";
    default: return simdjson::error_message(err);
  }
}

// The walk below stops as deep as the DOM parser does, so hostile nesting cannot exhaust the stack.
constexpr int kMaxDepth = 1024;

simdjson::error_code walk(ondemand::value v, int depth);

simdjson::error_code walk_object(ondemand::object o, int depth) {
  for (auto field : o) {
    std::string_view key;
    ondemand::value v;
    if (auto err = field.unescaped_key().get(key)) return err;
    if (auto err = field.value().get(v)) return err;
    if (auto err = walk(v, depth + 1)) return err;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code walk_array(ondemand::array a, int depth) {
  for (auto element : a) {
    ondemand::value v;
    if (auto err = element.get(v)) return err;
    if (auto err = walk(v, depth + 1)) return err;
  }
  return simdjson::SUCCESS;
}

// Reads every value of the document so that simdjson's on-demand parser stops at the first bad
// one; only used after the DOM parser failed, to learn where.
simdjson::error_code walk(ondemand::value v, int depth) {
  if (depth > kMaxDepth) return simdjson::DEPTH_ERROR;
  ondemand::json_type type;
  if (auto err = v.type().get(type)) return err;
  switch (type) {
    case ondemand::json_type::object: {
      ondemand::object o;
      if (auto err = v.get_object().get(o)) return err;
      return walk_object(o, depth);
    }
    case ondemand::json_type::array: {
      ondemand::array a;
      if (auto err = v.get_array().get(a)) return err;
      return walk_array(a, depth);
    }
    case ondemand::json_type::string: return v.get_string().error();
    case ondemand::json_type::number: return v.get_number().error();
    case ondemand::json_type::boolean: return v.get_bool().error();
    case ondemand::json_type::null: {
      bool is_null = false;
      if (auto err = v.is_null().get(is_null)) return err;
      return is_null ? simdjson::SUCCESS : simdjson::N_ATOM_ERROR;
    }
  }
  return simdjson::SUCCESS;
}

// The byte offset at which simdjson's on-demand parser fails on text (or finds trailing text).
std::optional<size_t> locate_error(const simdjson::padded_string& text) {
  ondemand::parser parser;
  ondemand::document doc;
  if (parser.iterate(text).get(doc)) return std::nullopt;
  ondemand::json_type type;
  if (doc.type().get(type)) return std::nullopt;
  bool nested = type == ondemand::json_type::object || type == ondemand::json_type::array;
  ondemand::value root;
  if (!nested || doc.get_value().get(root)) return std::nullopt;
  walk(root, 1);  // on success, a location still inside the text means trailing text
  const char* where = nullptr;
  if (doc.current_location().get(where) || where == nullptr) return std::nullopt;
  return static_cast<size_t>(where - text.data());
}

// "line L, column C (byte B)" for a byte offset, lines and columns counted from 1.
std::string position_text(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  std::string_view before = text.substr(0, offset);
  size_t line = 1 + std::count(before.begin(), before.end(), '\n');
  size_t line_start = before.rfind('\n');
  size_t column = offset - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
  return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " +
         std::to_string(offset) + ")";
}

Error parse_error(std::string_view text, const simdjson::padded_string& padded,
                  simdjson::error_code err) {
  std::optional<size_t> offset;
  if (err == simdjson::UTF8_ERROR) {
    offset = find_invalid_utf8(text);
  } else if (err != simdjson::DEPTH_ERROR && err != simdjson::EMPTY) {
    offset = locate_error(padded);
  }
  std::string where = offset ? " at " + position_text(text, *offset) : "";
  return invalid("invalid JSON" + where + ": " + describe(err));
}

// Turns simdjson's DOM into JsonValues, rejecting duplicate keys; path_ tracks where it is.
class Converter {
 public:
  Result<JsonValue> convert(dom::element e) {
    switch (e.type()) {
      case dom::element_type::ARRAY: return convert_array(e.get_array().value_unsafe());
      case dom::element_type::OBJECT: return convert_object(e.get_object().value_unsafe());
      case dom::element_type::INT64: return JsonValue(e.get_int64().value_unsafe());
      case dom::element_type::UINT64: return JsonValue(e.get_uint64().value_unsafe());
      case dom::element_type::DOUBLE: return JsonValue(e.get_double().value_unsafe());
      case dom::element_type::STRING: return JsonValue(std::string(e.get_string().value_unsafe()));
      case dom::element_type::BOOL: return JsonValue(e.get_bool().value_unsafe());
      case dom::element_type::NULL_VALUE: return JsonValue();
    }
    return JsonValue();
  }

 private:
  Result<JsonValue> convert_array(dom::array a) {
    JsonValue::Array out;
    out.reserve(a.size());
    size_t mark = path_.size();
    for (dom::element e : a) {
      path_ += "[" + std::to_string(out.size()) + "]";
      SBX_ASSIGN_OR_RETURN(JsonValue v, convert(e));
      out.push_back(std::move(v));
      path_.resize(mark);
    }
    return JsonValue(std::move(out));
  }

  Result<JsonValue> convert_object(dom::object o) {
    JsonValue::Object out;
    std::unordered_set<std::string_view> seen;
    size_t mark = path_.size();
    for (dom::key_value_pair kv : o) {
      if (!seen.insert(kv.key).second) return duplicate_key(kv.key);
      path_ += (path_.empty() ? "" : ".") + std::string(kv.key);
      SBX_ASSIGN_OR_RETURN(JsonValue v, convert(kv.value));
      out.emplace_back(std::string(kv.key), std::move(v));
      path_.resize(mark);
    }
    return JsonValue(std::move(out));
  }

  Error duplicate_key(std::string_view key) const {
    std::string where = path_.empty() ? "the top-level object" : path_;
    return invalid("invalid JSON: duplicate key \"" + std::string(key) + "\" in " + where);
  }

  std::string path_;
};

}  // namespace

Result<JsonValue> parse_json(std::string_view text) {
  simdjson::padded_string padded(text);
  dom::parser parser;
  dom::element root;
  if (auto err = parser.parse(padded).get(root)) return parse_error(text, padded, err);
  return Converter().convert(root);
}

// ---- JsonNode ----

Error JsonNode::error(std::string_view what) const {
  if (path_.empty()) return invalid(std::string(what));
  return invalid(path_ + ": " + std::string(what));
}

Error JsonNode::type_error(const char* expected) const {
  return error(std::string("expected ") + expected + ", got " + v_->type_name());
}

JsonNode JsonNode::child(std::string_view key, const JsonValue& v) const {
  return JsonNode(v, path_.empty() ? std::string(key) : path_ + "." + std::string(key));
}

Result<JsonNode> JsonNode::at(std::string_view key) const {
  SBX_ASSIGN_OR_RETURN(std::optional<JsonNode> node, find(key));
  if (!node) return child(key, *v_).error("required field is missing");
  return std::move(*node);
}

Result<std::optional<JsonNode>> JsonNode::find(std::string_view key) const {
  if (!v_->is_object()) return type_error("an object");
  const JsonValue* v = v_->get(key);
  if (v == nullptr || v->is_null()) return std::optional<JsonNode>();
  return std::optional<JsonNode>(child(key, *v));
}

Result<std::vector<JsonNode>> JsonNode::elements() const {
  if (!v_->is_array()) return type_error("an array");
  std::vector<JsonNode> out;
  for (const JsonValue& e : v_->elements()) {
    out.emplace_back(e, path_ + "[" + std::to_string(out.size()) + "]");
  }
  return out;
}

Result<std::vector<std::pair<std::string, JsonNode>>> JsonNode::items() const {
  if (!v_->is_object()) return type_error("an object");
  std::vector<std::pair<std::string, JsonNode>> out;
  for (const auto& [k, v] : v_->items()) out.emplace_back(k, child(k, v));
  return out;
}

Result<std::string> JsonNode::string() const {
  if (!v_->is_string()) return type_error("a string");
  return v_->as_string();
}

Result<int64_t> JsonNode::int64() const {
  if (v_->type() == JsonValue::Type::kUint) return error("integer out of range");
  if (v_->type() != JsonValue::Type::kInt) return type_error("an integer");
  return v_->as_int();
}

Result<uint64_t> JsonNode::uint64() const {
  if (!v_->is_int()) return type_error("a non-negative integer");
  if (v_->type() == JsonValue::Type::kInt && v_->as_int() < 0) {
    return error("expected a non-negative integer, got " + std::to_string(v_->as_int()));
  }
  return v_->as_uint();
}

Result<double> JsonNode::number() const {
  if (!v_->is_number()) return type_error("a number");
  return v_->as_double();
}

Result<bool> JsonNode::boolean() const {
  if (!v_->is_bool()) return type_error("a boolean");
  return v_->as_bool();
}

Result<std::vector<std::string>> JsonNode::strings() const {
  SBX_ASSIGN_OR_RETURN(std::vector<JsonNode> nodes, elements());
  std::vector<std::string> out;
  for (const JsonNode& n : nodes) {
    SBX_ASSIGN_OR_RETURN(std::string s, n.string());
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::string> JsonNode::string_at(std::string_view key) const {
  SBX_ASSIGN_OR_RETURN(JsonNode n, at(key));
  return n.string();
}

Result<std::string> JsonNode::string_or(std::string_view key, std::string fallback) const {
  SBX_ASSIGN_OR_RETURN(std::optional<JsonNode> n, find(key));
  if (!n) return fallback;
  return n->string();
}

Result<int64_t> JsonNode::int64_at(std::string_view key) const {
  SBX_ASSIGN_OR_RETURN(JsonNode n, at(key));
  return n.int64();
}

Result<int64_t> JsonNode::int64_or(std::string_view key, int64_t fallback) const {
  SBX_ASSIGN_OR_RETURN(std::optional<JsonNode> n, find(key));
  if (!n) return fallback;
  return n->int64();
}

Result<bool> JsonNode::boolean_or(std::string_view key, bool fallback) const {
  SBX_ASSIGN_OR_RETURN(std::optional<JsonNode> n, find(key));
  if (!n) return fallback;
  return n->boolean();
}

}  // namespace sbx
