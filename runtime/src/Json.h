//===- Json.h - A strict JSON parser for untrusted headers ------*- C++ -*-===//
//
// Safetensors headers and sharded-checkpoint indexes are JSON read from
// files that may be truncated or crafted. This parser accepts exactly
// RFC 8259 — no comments, trailing commas, NaN, BOM or invalid UTF-8 — and
// additionally rejects duplicate object keys (which would let two entries
// claim one tensor), nesting deeper than maxJsonDepth (which would exhaust
// the stack) and more than maxJsonValues values (which would exhaust
// memory: a parsed value takes ~40 times the two bytes of "0,"). Numbers keep
// their literal text so that sizes and offsets are read as exact integers,
// never through a double.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_JSON_H
#define KILN_RUNTIME_SRC_JSON_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kiln::runtime {

/// The deepest nesting of arrays and objects the parser accepts (the limit
/// serde_json, used by the reference safetensors implementation, applies).
constexpr unsigned maxJsonDepth = 128;

/// The most values (of any kind, nested ones included) one document may
/// hold. A realistic safetensors header spends ~8 values on each tensor in
/// ~110 bytes, so this admits any realistic header up to the 100 MB bound
/// while keeping a crafted one below ~1.5 GB of memory.
constexpr size_t maxJsonValues = size_t(1) << 24;

struct JsonMember;

/// A parsed JSON value.
struct JsonValue {
  /// The JSON type of a value.
  enum class Kind { Null, Bool, Number, String, Array, Object };

  Kind kind = Kind::Null;
  /// The value of a Bool.
  bool boolean = false;
  /// The decoded UTF-8 text of a String, or the literal of a Number.
  std::string text;
  /// The elements of an Array.
  std::vector<JsonValue> elements;
  /// The members of an Object, in file order, with distinct keys.
  std::vector<JsonMember> members;

  /// The member of an Object called `key`, or null.
  const JsonValue *find(std::string_view key) const;

  /// The value of a Number written as a plain non-negative integer (no
  /// sign, fraction or exponent) that fits in 64 bits.
  std::optional<uint64_t> getUnsigned() const;

  /// A short description for messages: a number's literal, a quoted
  /// string, `true`, `null`, `an array` or `an object`.
  std::string describe() const;
};

/// A key and its value in an Object.
struct JsonMember {
  std::string key;
  JsonValue value;
};

/// Why and where parsing failed.
struct JsonError {
  std::string message;
  /// Byte offset of the offending character in the parsed text.
  size_t offset = 0;
};

/// Parses the whole of `text` as one JSON value surrounded by optional
/// whitespace, holding at most `maxValues` values. On failure returns
/// nothing and fills `error`.
std::optional<JsonValue> parseJson(std::string_view text, JsonError &error,
                                   size_t maxValues = maxJsonValues);

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_JSON_H
