// Unit tests of util/json: writing (escaping, UTF-8 repair, pretty layout), parsing into the DOM
// (round trips, numbers, nesting, errors with positions) and the checked reads of JsonNode.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <string>

#include "util/json.h"

using sbx::JsonNode;
using sbx::JsonValue;
using sbx::JsonWriter;
using sbx::parse_json;

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  sbx::append_json_string(out, s);
  return out;
}

JsonValue parsed(std::string_view text) {
  auto r = parse_json(text);
  INFO(text);
  REQUIRE(r.ok());
  return std::move(r).value();
}

std::string parse_error(std::string_view text) {
  auto r = parse_json(text);
  INFO(text);
  REQUIRE_FALSE(r.ok());
  CHECK(r.error().kind() == sbx::ErrorKind::kInvalidArgument);
  return r.error().message();
}

}  // namespace

TEST_CASE("strings are escaped", "[json]") {
  CHECK(quoted("plain") == R"("plain")");
  CHECK(quoted("a\"b\\c") == R"("a\"b\\c")");
  CHECK(quoted("\n\t\r\b\f") == R"("\n\t\r\b\f")");
  CHECK(quoted(std::string_view("\x01\x1f\x7f", 3)) == R"("\u0001\u001f\u007f")");
  CHECK(quoted(std::string_view("a\0b", 3)) == R"("a\u0000b")");
  CHECK(quoted("/") == R"("/")");
}

TEST_CASE("valid UTF-8 passes through, invalid bytes become U+FFFD", "[json]") {
  CHECK(quoted("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80") ==
        "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(quoted("a\xFF"
               "b") == "\"a" + fffd + "b\"");
  CHECK(quoted("\xC3") == "\"" + fffd + "\"");                                   // truncated
  CHECK(quoted("\xC0\xAF") == "\"" + fffd + fffd + "\"");                        // overlong
  CHECK(quoted("\xED\xA0\x80") == "\"" + fffd + fffd + fffd + "\"");             // surrogate
  CHECK(quoted("\xF4\x90\x80\x80") == "\"" + fffd + fffd + fffd + fffd + "\"");  // > U+10FFFF
  CHECK(sbx::find_invalid_utf8("ok \xE2\x82\xAC") == std::nullopt);
  CHECK(sbx::find_invalid_utf8("ok\xE2\x82") == std::optional<size_t>(2));
  // What the writer repairs always parses back.
  CHECK(parsed(quoted("x\xFE\xC3(")).as_string() == "x" + fffd + fffd + "(");
}

TEST_CASE("compact and pretty writing", "[json]") {
  auto build = [](bool pretty) {
    JsonWriter w(pretty);
    w.begin_object().field("a", 1).field("b", "x");
    w.key("list").begin_array().value(true).null_value().value(2.5).end_array();
    w.key("empty").begin_object().end_object();
    w.key("none").begin_array().end_array();
    w.end_object();
    return w.take();
  };
  CHECK(build(false) == R"({"a":1,"b":"x","list":[true,null,2.5],"empty":{},"none":[]})");
  CHECK(build(true) ==
        "{\n"
        "  \"a\": 1,\n"
        "  \"b\": \"x\",\n"
        "  \"list\": [\n"
        "    true,\n"
        "    null,\n"
        "    2.5\n"
        "  ],\n"
        "  \"empty\": {},\n"
        "  \"none\": []\n"
        "}");
}

TEST_CASE("numbers are written exactly", "[json]") {
  auto one = [](auto v) { return JsonWriter().value(v).str(); };
  CHECK(one(int64_t{-42}) == "-42");
  CHECK(one(std::numeric_limits<int64_t>::min()) == "-9223372036854775808");
  CHECK(one(std::numeric_limits<uint64_t>::max()) == "18446744073709551615");
  CHECK(one(7) == "7");
  CHECK(one(1.0) == "1.0");
  CHECK(one(0.1) == "0.1");
  CHECK(one(1e300) == "1e+300");
  CHECK(one(std::numeric_limits<double>::quiet_NaN()) == "null");
  CHECK(one(std::numeric_limits<double>::infinity()) == "null");
  CHECK(JsonWriter().field("x", std::optional<int>()).str() == R"("x":null)");
}

TEST_CASE("parse and write round trips", "[json]") {
  const char* docs[] = {
      R"({"b":1,"a":[1,2.5,"x",null,true,false,{}],"c":{"d":[]}})",
      R"([])",
      R"("just a string")",
      R"(-12)",
      R"(null)",
      R"({"unicode":"h\u00e9 \ud83d\ude00","esc":"a\"b\\c\n\u0001"})",
  };
  for (const char* doc : docs) {
    JsonValue v = parsed(doc);
    CHECK(parsed(v.dump()) == v);
    CHECK(parsed(v.dump(true)) == v);
  }
  // Key order is the document's, not sorted.
  CHECK(parsed(R"({"z":1,"a":2,"m":3})").dump() == R"({"z":1,"a":2,"m":3})");
  CHECK(parsed(R"("h\u00e9 \ud83d\ude00")").as_string() == "h\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST_CASE("the DOM accessors", "[json]") {
  JsonValue v = parsed(R"({"s":"x","i":3,"d":2.5,"b":true,"n":null,"a":[1,"two"],"o":{"k":1}})");
  REQUIRE(v.is_object());
  CHECK(v.size() == 7);
  CHECK(v.get("s")->as_string() == "x");
  CHECK(v.get("i")->is_int());
  CHECK(v.get("i")->as_int() == 3);
  CHECK(v.get("i")->as_double() == 3.0);
  CHECK(v.get("d")->type() == JsonValue::Type::kDouble);
  CHECK(v.get("d")->as_int() == 0);  // not integral
  CHECK(v.get("b")->as_bool());
  CHECK(v.get("n")->is_null());
  CHECK(v.get("missing") == nullptr);
  CHECK(v.get("a")->at(1)->as_string() == "two");
  CHECK(v.get("a")->at(2) == nullptr);
  CHECK(v.get("o")->items().front().first == "k");
  CHECK(v.get("s")->get("x") == nullptr);  // not an object
  CHECK(v.get("i")->as_string().empty());  // wrong type: the empty value
  CHECK(v.get("a")->type_name() == std::string("array"));
}

TEST_CASE("big numbers", "[json]") {
  CHECK(parsed("9223372036854775807").as_int() == std::numeric_limits<int64_t>::max());
  CHECK(parsed("-9223372036854775808").as_int() == std::numeric_limits<int64_t>::min());
  JsonValue big = parsed("18446744073709551615");
  CHECK(big.type() == JsonValue::Type::kUint);
  CHECK(big.as_uint() == std::numeric_limits<uint64_t>::max());
  CHECK(big.as_int() == 0);  // does not fit
  CHECK(big.dump() == "18446744073709551615");
  CHECK(parsed("1.5e300").as_double() == 1.5e300);
  CHECK(parsed("1e2").type() == JsonValue::Type::kDouble);
  CHECK(JsonValue(uint64_t{5}) == parsed("5"));  // small uint64s are ints
  CHECK_THAT(parse_error("18446744073709551616"), Catch::Contains("bad number"));
  CHECK_THAT(parse_error("[1e400]"), Catch::Contains("bad number"));
}

TEST_CASE("deep nesting", "[json]") {
  auto nested = [](int depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  JsonValue v = parsed(nested(1000));
  CHECK(v.dump() == nested(1000));
  CHECK_THAT(parse_error(nested(2000)), Catch::Contains("nested too deeply"));
  // Hostile nesting fails cleanly instead of exhausting the stack.
  CHECK_THAT(parse_error(std::string(1000000, '[')), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error(std::string(100000, '[') + "1,,"), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error(std::string(100000, '[') + std::string(99999, ']')),
             Catch::Contains("invalid JSON"));

  JsonWriter w;
  for (int i = 0; i < 500; ++i) w.begin_object().key("k");
  w.value(1);
  for (int i = 0; i < 500; ++i) w.end_object();
  CHECK(parsed(w.str()).dump() == w.str());
}

TEST_CASE("parse errors say what and where", "[json]") {
  CHECK_THAT(parse_error(""), Catch::Contains("empty"));
  CHECK_THAT(parse_error("{\"a\":1,}"), Catch::Contains("bad structure"));
  CHECK_THAT(parse_error("{\"a\":1,}"), Catch::Contains("line 1, column 8 (byte 7)"));
  CHECK_THAT(parse_error("{\n  \"x\": [1, 2,, 3]\n}"), Catch::Contains("line 2, column"));
  CHECK_THAT(parse_error("[1] x"), Catch::Contains("(byte 4)"));
  CHECK_THAT(parse_error("{\"a\":\"b}"), Catch::Contains("never closed"));
  CHECK_THAT(parse_error("[tru]"), Catch::Contains("invalid JSON"));
  CHECK_THAT(parse_error("[\"a\\q\"]"), Catch::Contains("bad string"));
  CHECK_THAT(parse_error("\"\\ud800\""), Catch::Contains("bad string"));
  CHECK_THAT(parse_error("[\"ok\", \"\xFF\"]"), Catch::Contains("invalid UTF-8"));
  CHECK_THAT(parse_error("[\"ok\", \"\xFF\"]"), Catch::Contains("(byte 8)"));
  CHECK_THAT(parse_error("{\"a\":{\"k\":1,\"k\":2}}"), Catch::Contains("duplicate key \"k\" in a"));
  CHECK_THAT(parse_error("{\"k\":1,\"k\":2}"), Catch::Contains("in the top-level object"));
}

TEST_CASE("JsonNode reads fields and names the bad one", "[json]") {
  JsonValue doc = parsed(R"({
    "defaultAction": "SCMP_ACT_ERRNO",
    "errnoRet": 1,
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["open", 3], "action": 7, "args": null}
    ]
  })");
  JsonNode root(doc);
  CHECK(root.string_at("defaultAction").value() == "SCMP_ACT_ERRNO");
  CHECK(root.int64_at("errnoRet").value() == 1);
  CHECK(root.int64_or("missing", 9).value() == 9);
  CHECK(root.boolean_or("missing", true).value());
  CHECK(root.string_or("missing", "dflt").value() == "dflt");

  auto syscalls = root.at("syscalls").value().elements().value();
  REQUIRE(syscalls.size() == 2);
  CHECK(syscalls[0].at("names").value().strings().value() ==
        std::vector<std::string>{"read", "write"});
  CHECK(syscalls[1].path() == "syscalls[1]");
  CHECK(syscalls[1].find("args").value() == std::nullopt);  // null counts as absent

  CHECK(syscalls[1].at("names").value().strings().error().message() ==
        "syscalls[1].names[1]: expected a string, got integer");
  CHECK(syscalls[1].string_at("action").error().message() ==
        "syscalls[1].action: expected a string, got integer");
  CHECK(syscalls[0].at("comment").error().message() ==
        "syscalls[0].comment: required field is missing");
  CHECK(root.at("errnoRet").value().at("x").error().message() ==
        "errnoRet: expected an object, got integer");
  CHECK(JsonNode(parsed("[1]")).at("x").error().message() == "expected an object, got array");
  CHECK(root.at("defaultAction").value().error("unknown action").message() ==
        "defaultAction: unknown action");
}

TEST_CASE("JsonNode number checks", "[json]") {
  JsonValue doc = parsed(R"({"neg":-1,"big":18446744073709551615,"d":1.5,"s":"1"})");
  JsonNode root(doc);
  CHECK(root.at("neg").value().int64().value() == -1);
  CHECK(root.at("neg").value().uint64().error().message() ==
        "neg: expected a non-negative integer, got -1");
  CHECK(root.at("big").value().uint64().value() == std::numeric_limits<uint64_t>::max());
  CHECK(root.at("big").value().int64().error().message() == "big: integer out of range");
  CHECK(root.at("d").value().int64().error().message() == "d: expected an integer, got number");
  CHECK(root.at("d").value().number().value() == 1.5);
  CHECK(root.at("s").value().number().error().message() == "s: expected a number, got string");
  auto items = root.items().value();
  CHECK(items.size() == 4);
  CHECK(items[1].second.path() == "big");
}
