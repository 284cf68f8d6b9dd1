//===- Json.cpp - A strict JSON parser for untrusted headers --------------===//
//
// A recursive-descent parser over a string_view. Every read is bounds-checked
// against the end of the text, recursion is bounded by maxJsonDepth, and the
// first error stops parsing with the offset of the offending byte.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Json.h"

#include "runtime/src/Status.h"

#include <algorithm>

using namespace kiln::runtime;

//===----------------------------------------------------------------------===//
// JsonValue
//===----------------------------------------------------------------------===//

const JsonValue *JsonValue::find(std::string_view key) const {
  for (const JsonMember &member : members)
    if (member.key == key)
      return &member.value;
  return nullptr;
}

std::optional<uint64_t> JsonValue::getUnsigned() const {
  if (kind != Kind::Number)
    return std::nullopt;
  uint64_t value = 0;
  for (char digit : text) {
    if (digit < '0' || digit > '9')
      return std::nullopt;
    unsigned digitValue = digit - '0';
    if (value > (UINT64_MAX - digitValue) / 10)
      return std::nullopt;
    value = value * 10 + digitValue;
  }
  return value;
}

std::string JsonValue::describe() const {
  switch (kind) {
  case Kind::Null:
    return "null";
  case Kind::Bool:
    return boolean ? "true" : "false";
  case Kind::Number:
    return text.size() <= 40 ? text : text.substr(0, 40) + "...";
  case Kind::String:
    return "string " + quote(text);
  case Kind::Array:
    return "an array";
  case Kind::Object:
    return "an object";
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Parser
//===----------------------------------------------------------------------===//

namespace {

/// Parses one text; each parse* method returns false after recording the
/// first error.
class JsonParser {
public:
  JsonParser(std::string_view text, JsonError &error, size_t maxValues)
      : text(text), error(error), maxValues(maxValues) {}

  /// Parses the whole text as one value.
  bool parseDocument(JsonValue &value) {
    if (!parseValue(value))
      return false;
    skipWhitespace();
    if (pos != text.size())
      return fail("unexpected " + describeByte(pos) + " after the JSON value");
    return true;
  }

private:
  /// Records an error at the current position.
  bool fail(std::string message) { return failAt(pos, std::move(message)); }

  /// Records an error at `offset`.
  bool failAt(size_t offset, std::string message) {
    error.message = std::move(message);
    error.offset = offset;
    return false;
  }

  /// The byte at `offset` for a message, or "end of input".
  std::string describeByte(size_t offset) const {
    if (offset >= text.size())
      return "end of input";
    auto byte = static_cast<unsigned char>(text[offset]);
    if (byte >= 0x20 && byte < 0x7f)
      return std::string("character '") + static_cast<char>(byte) + "'";
    static const char hexDigits[] = "0123456789abcdef";
    return std::string("byte 0x") + hexDigits[byte >> 4] +
           hexDigits[byte & 0xf];
  }

  bool atEnd() const { return pos >= text.size(); }

  /// The current byte; only valid when not atEnd().
  unsigned char peek() const { return static_cast<unsigned char>(text[pos]); }

  /// Skips the four whitespace characters JSON allows.
  void skipWhitespace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' ||
                        peek() == '\r'))
      ++pos;
  }

  /// Consumes `expected` if it is next.
  bool consume(char expected) {
    if (atEnd() || peek() != static_cast<unsigned char>(expected))
      return false;
    ++pos;
    return true;
  }

  bool parseValue(JsonValue &value) {
    skipWhitespace();
    if (atEnd())
      return fail("unexpected end of input, expected a value");
    if (++valueCount > maxValues)
      return fail("more than " + std::to_string(maxValues) + " values");
    switch (peek()) {
    case '{':
      return parseObject(value);
    case '[':
      return parseArray(value);
    case '"':
      value.kind = JsonValue::Kind::String;
      return parseString(value.text);
    case 't':
      return parseLiteral("true", JsonValue::Kind::Bool, true, value);
    case 'f':
      return parseLiteral("false", JsonValue::Kind::Bool, false, value);
    case 'n':
      return parseLiteral("null", JsonValue::Kind::Null, false, value);
    default:
      if (peek() == '-' || (peek() >= '0' && peek() <= '9'))
        return parseNumber(value);
      return fail("unexpected " + describeByte(pos) + ", expected a value");
    }
  }

  bool parseLiteral(std::string_view literal, JsonValue::Kind kind,
                    bool boolean, JsonValue &value) {
    if (text.substr(pos, literal.size()) != literal)
      return fail("invalid literal, expected '" + std::string(literal) + "'");
    pos += literal.size();
    value.kind = kind;
    value.boolean = boolean;
    return true;
  }

  /// Enters an array or object, refusing to nest beyond maxJsonDepth.
  bool enterNesting() {
    if (++depth > maxJsonDepth)
      return fail("nesting deeper than " + std::to_string(maxJsonDepth) +
                  " levels");
    return true;
  }

  bool parseArray(JsonValue &value) {
    value.kind = JsonValue::Kind::Array;
    ++pos; // '['
    if (!enterNesting())
      return false;
    skipWhitespace();
    if (!consume(']')) {
      do {
        value.elements.emplace_back();
        if (!parseValue(value.elements.back()))
          return false;
        skipWhitespace();
      } while (consume(','));
      if (!consume(']'))
        return fail("unexpected " + describeByte(pos) +
                    " in array, expected ',' or ']'");
    }
    --depth;
    return true;
  }

  bool parseObject(JsonValue &value) {
    value.kind = JsonValue::Kind::Object;
    ++pos; // '{'
    if (!enterNesting())
      return false;
    std::vector<size_t> keyOffsets;
    skipWhitespace();
    if (!consume('}')) {
      do {
        skipWhitespace();
        if (atEnd() || peek() != '"')
          return fail("unexpected " + describeByte(pos) +
                      " in object, expected a string key");
        keyOffsets.push_back(pos);
        JsonMember &member = value.members.emplace_back();
        if (!parseString(member.key))
          return false;
        skipWhitespace();
        if (!consume(':'))
          return fail("unexpected " + describeByte(pos) +
                      " after object key, expected ':'");
        if (!parseValue(member.value))
          return false;
        skipWhitespace();
      } while (consume(','));
      if (!consume('}'))
        return fail("unexpected " + describeByte(pos) +
                    " in object, expected ',' or '}'");
    }
    --depth;
    return checkDistinctKeys(value.members, keyOffsets);
  }

  /// Fails at the second occurrence of a repeated key. Sorting indices
  /// keeps this O(n log n) for headers with many thousands of tensors.
  bool checkDistinctKeys(const std::vector<JsonMember> &members,
                         const std::vector<size_t> &keyOffsets) {
    std::vector<size_t> order(members.size());
    for (size_t i = 0; i < order.size(); ++i)
      order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t lhs, size_t rhs) {
      if (members[lhs].key != members[rhs].key)
        return members[lhs].key < members[rhs].key;
      return lhs < rhs;
    });
    for (size_t i = 1; i < order.size(); ++i)
      if (members[order[i]].key == members[order[i - 1]].key)
        return failAt(keyOffsets[order[i]],
                      "duplicate key " + quote(members[order[i]].key));
    return true;
  }

  bool parseNumber(JsonValue &value) {
    size_t start = pos;
    consume('-');
    if (consume('0')) {
      // A leading zero stands alone: "01" is not JSON.
    } else if (!consumeDigits()) {
      return fail("invalid number, expected a digit");
    }
    if (consume('.') && !consumeDigits())
      return fail("invalid number, expected a digit after '.'");
    if (consume('e') || consume('E')) {
      if (!consume('+'))
        consume('-');
      if (!consumeDigits())
        return fail("invalid number, expected a digit in the exponent");
    }
    value.kind = JsonValue::Kind::Number;
    value.text = std::string(text.substr(start, pos - start));
    return true;
  }

  /// Consumes one or more decimal digits.
  bool consumeDigits() {
    size_t start = pos;
    while (!atEnd() && peek() >= '0' && peek() <= '9')
      ++pos;
    return pos != start;
  }

  bool parseString(std::string &out) {
    size_t start = pos;
    ++pos; // '"'
    while (true) {
      if (atEnd())
        return failAt(start, "unterminated string");
      unsigned char byte = peek();
      if (byte == '"') {
        ++pos;
        return true;
      }
      if (byte == '\\') {
        if (!parseEscape(out))
          return false;
      } else if (byte < 0x20) {
        return fail("unescaped control " + describeByte(pos) + " in string");
      } else if (byte < 0x80) {
        out += static_cast<char>(byte);
        ++pos;
      } else if (!parseUtf8Sequence(out)) {
        return false;
      }
    }
  }

  /// Parses a backslash escape, decoding \u surrogate pairs to UTF-8.
  bool parseEscape(std::string &out) {
    size_t start = pos;
    ++pos; // '\'
    if (atEnd())
      return failAt(start, "unterminated string");
    char escaped = static_cast<char>(peek());
    ++pos;
    switch (escaped) {
    case '"':
    case '\\':
    case '/':
      out += escaped;
      return true;
    case 'b':
      out += '\b';
      return true;
    case 'f':
      out += '\f';
      return true;
    case 'n':
      out += '\n';
      return true;
    case 'r':
      out += '\r';
      return true;
    case 't':
      out += '\t';
      return true;
    case 'u':
      break;
    default:
      return failAt(start, "invalid escape sequence in string");
    }
    uint32_t codePoint;
    if (!parseHex4(codePoint))
      return false;
    if (codePoint >= 0xdc00 && codePoint <= 0xdfff)
      return failAt(start, "unpaired low surrogate in string");
    if (codePoint >= 0xd800 && codePoint <= 0xdbff) {
      uint32_t low;
      if (!consume('\\') || !consume('u') || !parseHex4(low) || low < 0xdc00 ||
          low > 0xdfff)
        return failAt(start, "unpaired high surrogate in string");
      codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00);
    }
    appendUtf8(codePoint, out);
    return true;
  }

  /// Parses the four hex digits of a \u escape.
  bool parseHex4(uint32_t &value) {
    value = 0;
    for (int i = 0; i < 4; ++i, ++pos) {
      if (atEnd())
        return fail("unterminated \\u escape in string");
      unsigned char digit = peek();
      value <<= 4;
      if (digit >= '0' && digit <= '9')
        value |= digit - '0';
      else if (digit >= 'a' && digit <= 'f')
        value |= digit - 'a' + 10;
      else if (digit >= 'A' && digit <= 'F')
        value |= digit - 'A' + 10;
      else
        return fail("invalid hex digit in \\u escape");
    }
    return true;
  }

  static void appendUtf8(uint32_t codePoint, std::string &out) {
    if (codePoint < 0x80) {
      out += static_cast<char>(codePoint);
    } else if (codePoint < 0x800) {
      out += static_cast<char>(0xc0 | (codePoint >> 6));
      out += static_cast<char>(0x80 | (codePoint & 0x3f));
    } else if (codePoint < 0x10000) {
      out += static_cast<char>(0xe0 | (codePoint >> 12));
      out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (codePoint & 0x3f));
    } else {
      out += static_cast<char>(0xf0 | (codePoint >> 18));
      out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3f));
      out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3f));
      out += static_cast<char>(0x80 | (codePoint & 0x3f));
    }
  }

  /// Copies one multi-byte UTF-8 character, rejecting overlong forms,
  /// surrogates and code points above U+10FFFF (RFC 3629).
  bool parseUtf8Sequence(std::string &out) {
    unsigned char lead = peek();
    size_t length;
    unsigned char secondMin = 0x80, secondMax = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead == 0xe0)
        secondMin = 0xa0; // overlong
      else if (lead == 0xed)
        secondMax = 0x9f; // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead == 0xf0)
        secondMin = 0x90; // overlong
      else if (lead == 0xf4)
        secondMax = 0x8f; // above U+10FFFF
    } else {
      return fail("invalid UTF-8 " + describeByte(pos) + " in string");
    }
    if (text.size() - pos < length)
      return fail("truncated UTF-8 sequence in string");
    for (size_t i = 1; i < length; ++i) {
      auto byte = static_cast<unsigned char>(text[pos + i]);
      unsigned char min = i == 1 ? secondMin : 0x80;
      unsigned char max = i == 1 ? secondMax : 0xbf;
      if (byte < min || byte > max)
        return failAt(pos + i,
                      "invalid UTF-8 " + describeByte(pos + i) + " in string");
    }
    out.append(text.substr(pos, length));
    pos += length;
    return true;
  }

  std::string_view text;
  JsonError &error;
  const size_t maxValues;
  size_t pos = 0;
  unsigned depth = 0;
  size_t valueCount = 0;
};

} // namespace

std::optional<JsonValue> kiln::runtime::parseJson(std::string_view text,
                                                  JsonError &error,
                                                  size_t maxValues) {
  JsonValue value;
  if (!JsonParser(text, error, maxValues).parseDocument(value))
    return std::nullopt;
  return value;
}
