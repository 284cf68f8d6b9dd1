//===- JsonTest.cpp - Tests of the runtime's strict JSON parser -----------===//

#include "runtime/src/Json.h"

#include <gtest/gtest.h>

using namespace kiln::runtime;

namespace {

/// Parses `text`, expecting success.
JsonValue parseValid(std::string_view text) {
  JsonError error;
  std::optional<JsonValue> value = parseJson(text, error);
  EXPECT_TRUE(value.has_value())
      << "'" << text << "': " << error.message << " at " << error.offset;
  return value ? *value : JsonValue();
}

/// Parses `text`, expecting failure, and returns "message at offset".
std::string parseInvalid(std::string_view text) {
  JsonError error;
  std::optional<JsonValue> value = parseJson(text, error);
  EXPECT_FALSE(value.has_value()) << "'" << text << "' parsed";
  return error.message + " at " + std::to_string(error.offset);
}

TEST(JsonTest, ParsesNestedValuesInOrder) {
  JsonValue value = parseValid(
      " {\"b\": [1, -2.5e+3, true, false, null], \"a\": {\"c\": \"x\"}} \n");
  ASSERT_EQ(value.kind, JsonValue::Kind::Object);
  ASSERT_EQ(value.members.size(), 2u);
  EXPECT_EQ(value.members[0].key, "b");
  EXPECT_EQ(value.members[1].key, "a");
  const JsonValue *array = value.find("b");
  ASSERT_NE(array, nullptr);
  ASSERT_EQ(array->elements.size(), 5u);
  EXPECT_EQ(array->elements[0].getUnsigned(), 1u);
  EXPECT_EQ(array->elements[1].kind, JsonValue::Kind::Number);
  EXPECT_EQ(array->elements[1].text, "-2.5e+3");
  EXPECT_TRUE(array->elements[2].boolean);
  EXPECT_EQ(array->elements[3].kind, JsonValue::Kind::Bool);
  EXPECT_FALSE(array->elements[3].boolean);
  EXPECT_EQ(array->elements[4].kind, JsonValue::Kind::Null);
  const JsonValue *inner = value.find("a");
  ASSERT_NE(inner, nullptr);
  ASSERT_NE(inner->find("c"), nullptr);
  EXPECT_EQ(inner->find("c")->text, "x");
  EXPECT_EQ(value.find("missing"), nullptr);
}

TEST(JsonTest, DecodesEscapesAndUtf8) {
  JsonValue value =
      parseValid(R"("q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00 \u0000")");
  EXPECT_EQ(value.text, std::string("q\" b\\ s/ \b\f\n\r\t \xc3\xa9 "
                                    "\xf0\x9f\x98\x80 \0",
                                    24));
  EXPECT_EQ(parseValid("\"\xe2\x82\xac\xf4\x8f\xbf\xbf\"").text,
            "\xe2\x82\xac\xf4\x8f\xbf\xbf");
}

TEST(JsonTest, ReadsExactUnsignedIntegers) {
  EXPECT_EQ(parseValid("0").getUnsigned(), 0u);
  EXPECT_EQ(parseValid("18446744073709551615").getUnsigned(), UINT64_MAX);
  EXPECT_FALSE(parseValid("18446744073709551616").getUnsigned());
  EXPECT_FALSE(parseValid("-1").getUnsigned());
  EXPECT_FALSE(parseValid("-0").getUnsigned());
  EXPECT_FALSE(parseValid("1.0").getUnsigned());
  EXPECT_FALSE(parseValid("1e2").getUnsigned());
  EXPECT_FALSE(parseValid("\"1\"").getUnsigned());
}

TEST(JsonTest, RejectsMalformedDocuments) {
  EXPECT_EQ(parseInvalid(""), "unexpected end of input, expected a value at 0");
  EXPECT_EQ(parseInvalid("   "),
            "unexpected end of input, expected a value at 3");
  EXPECT_EQ(parseInvalid("{\"a\":1,}"),
            "unexpected character '}' in object, expected a string key at 7");
  EXPECT_EQ(parseInvalid("[1,]"),
            "unexpected character ']', expected a value at 3");
  EXPECT_EQ(parseInvalid("[1 2]"),
            "unexpected character '2' in array, expected ',' or ']' at 3");
  EXPECT_EQ(parseInvalid("{\"a\" 1}"),
            "unexpected character '1' after object key, expected ':' at 5");
  EXPECT_EQ(parseInvalid("{a:1}"),
            "unexpected character 'a' in object, expected a string key at 1");
  EXPECT_EQ(parseInvalid("{} x"),
            "unexpected character 'x' after the JSON value at 3");
  EXPECT_EQ(parseInvalid(std::string_view("{}\0", 3)),
            "unexpected byte 0x00 after the JSON value at 2");
  EXPECT_EQ(parseInvalid("tru"), "invalid literal, expected 'true' at 0");
  EXPECT_EQ(parseInvalid("nul"), "invalid literal, expected 'null' at 0");
  EXPECT_EQ(parseInvalid("NaN"),
            "unexpected character 'N', expected a value at 0");
  EXPECT_EQ(parseInvalid("\xef\xbb\xbf{}"),
            "unexpected byte 0xef, expected a value at 0");
  EXPECT_EQ(parseInvalid("{\"a\":1} // c"),
            "unexpected character '/' after the JSON value at 8");
}

TEST(JsonTest, RejectsMalformedNumbers) {
  EXPECT_EQ(parseInvalid("01"),
            "unexpected character '1' after the JSON value at 1");
  EXPECT_EQ(parseInvalid("-"), "invalid number, expected a digit at 1");
  EXPECT_EQ(parseInvalid("1."),
            "invalid number, expected a digit after '.' at 2");
  EXPECT_EQ(parseInvalid("1e"),
            "invalid number, expected a digit in the exponent at 2");
  EXPECT_EQ(parseInvalid("+1"),
            "unexpected character '+', expected a value at 0");
  EXPECT_EQ(parseInvalid(".5"),
            "unexpected character '.', expected a value at 0");
}

TEST(JsonTest, RejectsMalformedStrings) {
  EXPECT_EQ(parseInvalid("\"abc"), "unterminated string at 0");
  EXPECT_EQ(parseInvalid("\"a\\"), "unterminated string at 2");
  EXPECT_EQ(parseInvalid("\"\\x\""), "invalid escape sequence in string at 1");
  EXPECT_EQ(parseInvalid("\"\\u12\""), "invalid hex digit in \\u escape at 5");
  EXPECT_EQ(parseInvalid("\"\\u12"), "unterminated \\u escape in string at 5");
  EXPECT_EQ(parseInvalid("\"a\nb\""),
            "unescaped control byte 0x0a in string at 2");
  EXPECT_EQ(parseInvalid(R"("\ud83d")"),
            "unpaired high surrogate in string at 1");
  EXPECT_EQ(parseInvalid(R"("\ud83d\u0041")"),
            "unpaired high surrogate in string at 1");
  EXPECT_EQ(parseInvalid(R"("\ude00")"),
            "unpaired low surrogate in string at 1");
}

TEST(JsonTest, RejectsInvalidUtf8) {
  // A lone continuation byte, an overlong '/', a UTF-8-encoded surrogate,
  // a code point above U+10FFFF and a sequence cut short.
  EXPECT_EQ(parseInvalid("\"\x80\""), "invalid UTF-8 byte 0x80 in string at 1");
  EXPECT_EQ(parseInvalid("\"\xc0\xaf\""),
            "invalid UTF-8 byte 0xc0 in string at 1");
  EXPECT_EQ(parseInvalid("\"\xed\xa0\x80\""),
            "invalid UTF-8 byte 0xa0 in string at 2");
  EXPECT_EQ(parseInvalid("\"\xf4\x90\x80\x80\""),
            "invalid UTF-8 byte 0x90 in string at 2");
  EXPECT_EQ(parseInvalid("\"\xe2\x82"),
            "truncated UTF-8 sequence in string at 1");
  EXPECT_EQ(parseInvalid("\"\xe2\x82\""),
            "invalid UTF-8 character '\"' in string at 3");
}

TEST(JsonTest, RejectsDuplicateKeysAtTheirSecondOccurrence) {
  EXPECT_EQ(parseInvalid(R"({"a":1,"b":2,"a":3})"), "duplicate key 'a' at 13");
  // Keys are compared after decoding escapes.
  EXPECT_EQ(parseInvalid(R"({"a":1,"\u0061":2})"), "duplicate key 'a' at 7");
  EXPECT_EQ(parseInvalid(R"([{"x":{"k":1,"k":2}}])"),
            "duplicate key 'k' at 13");
}

TEST(JsonTest, BoundsNestingDepth) {
  std::string deepest =
      std::string(maxJsonDepth, '[') + std::string(maxJsonDepth, ']');
  EXPECT_EQ(parseValid(deepest).kind, JsonValue::Kind::Array);
  std::string tooDeep = "[" + deepest + "]";
  EXPECT_EQ(parseInvalid(tooDeep), "nesting deeper than 128 levels at 129");
  // Far deeper than any stack could recurse: rejected, not a crash.
  EXPECT_EQ(parseInvalid(std::string(1 << 20, '[')),
            "nesting deeper than 128 levels at 129");
}

TEST(JsonTest, BoundsTheNumberOfValues) {
  JsonError error;
  EXPECT_TRUE(parseJson("[[0, 1], {\"a\": 2}]", error, 6));
  EXPECT_FALSE(parseJson("[[0, 1], {\"a\": 2}, 3]", error, 6));
  EXPECT_EQ(error.message, "more than 6 values");
  EXPECT_EQ(error.offset, 19u);
  EXPECT_GE(maxJsonValues, size_t(1) << 24);
}

TEST(JsonTest, DescribesValuesForMessages) {
  EXPECT_EQ(parseValid("-3").describe(), "-3");
  EXPECT_EQ(parseValid("\"F7\"").describe(), "string 'F7'");
  EXPECT_EQ(parseValid("[1]").describe(), "an array");
  EXPECT_EQ(parseValid("{}").describe(), "an object");
  EXPECT_EQ(parseValid("null").describe(), "null");
  EXPECT_EQ(parseValid("false").describe(), "false");
  EXPECT_EQ(parseValid(std::string(100, '9')).describe(),
            std::string(40, '9') + "...");
}

} // namespace
