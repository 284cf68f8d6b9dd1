//===- InputLimits.h - Bounds that keep hostile input harmless --*- C++ -*-===//
//
// LLVM's YAML and JSON parsers recurse once per level of nesting, so a file of
// a few megabytes of brackets exhausts the stack before any diagnostic can be
// printed. Model descriptions nest a handful of levels; the frontend checks
// the nesting of the raw text against a small bound before parsing it. That
// check follows quoted strings, which YAML makes hard to tell from plain
// text, so the number of brackets, wherever they are, is bounded as well:
// no reading of the quotes can then hide a nesting deep enough to matter.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_INPUTLIMITS_H
#define KILN_FRONTEND_INPUTLIMITS_H

#include "llvm/ADT/StringRef.h"

#include <cstddef>
#include <optional>

namespace kiln {

/// The deepest nesting of mappings, objects and lists a model description
/// may have; real specs and configs use at most five levels.
inline constexpr unsigned kMaxNesting = 32;

/// The offset of the first `{` or `[` in `text` that opens a level beyond
/// kMaxNesting, if any. Brackets inside quoted strings and YAML comments do
/// not count.
std::optional<size_t> findExcessiveNesting(llvm::StringRef text);

/// The most `{` and `[` a model description may hold, strings included;
/// real specs and configs hold a few dozen, and the parsers handle this
/// deep a nesting.
inline constexpr unsigned kMaxBrackets = 4096;

/// The offset of the first `{` or `[` in `text` beyond kMaxBrackets, if any.
std::optional<size_t> findExcessiveBrackets(llvm::StringRef text);

} // namespace kiln

#endif // KILN_FRONTEND_INPUTLIMITS_H
