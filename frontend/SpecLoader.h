//===- SpecLoader.h - Load a model description from a file ------*- C++ -*-===//
//
// The frontend's entry point: reads a Kiln YAML spec or a Hugging Face
// `config.json`, validates it and fills in the defaults of its family, giving
// the kiln::ModelSpec that MLIRGen lowers. Every problem is reported through
// the SourceMgr as `file:line:col: error: ...` with the offending line.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_SPECLOADER_H
#define KILN_FRONTEND_SPECLOADER_H

#include "frontend/ModelSpec.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>

namespace kiln {

/// The two input formats of the frontend.
enum class SpecFormat {
  /// Kiln's own YAML spec (docs/spec.md).
  KilnYaml,
  /// A Hugging Face `config.json` (gpt2, bert or llama).
  HuggingFaceConfig,
};

/// Parses a model description: a Kiln YAML spec (`.yaml`/`.yml`) or a Hugging
/// Face `config.json` (`.json`), which must be UTF-8 (a byte order mark is
/// allowed), validates it and fills in defaults.
/// Diagnostics go to `sourceMgr`'s handler as `file:line:col: error: ...`.
/// Returns std::nullopt after reporting at least one error.
std::optional<kiln::ModelSpec> loadModelSpec(llvm::StringRef path,
                                             llvm::SourceMgr &sourceMgr);

/// Like the overload above, for a buffer already added to `sourceMgr` (tests
/// and tools that read from memory); `format` says how to parse it.
std::optional<kiln::ModelSpec>
loadModelSpec(unsigned bufferId, SpecFormat format, llvm::SourceMgr &sourceMgr);

} // namespace kiln

#endif // KILN_FRONTEND_SPECLOADER_H
