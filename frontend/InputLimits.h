//===- InputLimits.h - Bounds that keep hostile input harmless --*- C++ -*-===//
//
// LLVM's YAML and JSON parsers recurse once per level of nesting, so a file of
// a few megabytes of brackets exhausts the stack before any diagnostic can be
// printed. Model descriptions nest a handful of levels; the frontend checks
// the nesting of the raw text against a small bound before parsing it.
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

} // namespace kiln

#endif // KILN_FRONTEND_INPUTLIMITS_H
