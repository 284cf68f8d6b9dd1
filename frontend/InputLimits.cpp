//===- InputLimits.cpp - Bounds that keep hostile input harmless ----------===//
//
// A single pass over the text that follows brackets and skips quoted strings
// and comments, and a count of the brackets that no quote can hide from.
//
//===----------------------------------------------------------------------===//

#include "frontend/InputLimits.h"

using namespace kiln;
using namespace llvm;

/// Whether a token may start at `offset`: quotes and comments only open
/// there (a quote inside a YAML plain scalar is just a character).
static bool isTokenStart(StringRef text, size_t offset) {
  return offset == 0 || StringRef(" \t\r\n{[,:").contains(text[offset - 1]);
}

std::optional<size_t> kiln::findExcessiveNesting(StringRef text) {
  unsigned depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if ((c == '"' || c == '\'') && isTokenStart(text, i)) {
      // Double quotes escape with a backslash; a doubled single quote
      // closes and reopens the string, which the scan can ignore.
      for (++i; i < text.size() && text[i] != c; ++i)
        if (c == '"' && text[i] == '\\')
          ++i;
    } else if (c == '#' && isTokenStart(text, i)) {
      i = text.find('\n', i);
      if (i == StringRef::npos)
        break;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxNesting)
        return i;
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

std::optional<size_t> kiln::findExcessiveBrackets(StringRef text) {
  unsigned brackets = 0;
  for (size_t i = 0; i < text.size(); ++i)
    if ((text[i] == '{' || text[i] == '[') && ++brackets > kMaxBrackets)
      return i;
  return std::nullopt;
}
