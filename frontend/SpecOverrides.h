//===- SpecOverrides.h - Command-line overrides of spec fields --*- C++ -*-===//
//
// Spec fields that a tool's command line may set after loading, for inputs
// that cannot say them: a Hugging Face config.json has no
// `output.positions`, and its `max_position_embeddings` may be far longer
// than the prompts a binary must serve. kiln-compile and kiln-reference
// register the same options, so that the oracle evaluates the model that the
// compiler builds.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_SPECOVERRIDES_H
#define KILN_FRONTEND_SPECOVERRIDES_H

#include "frontend/ModelSpec.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

#include <optional>

namespace kiln {

/// The category of the override options, for tools that show only their
/// own options in `--help`.
llvm::cl::OptionCategory &getSpecOverrideCategory();

/// Registers the override options (`--output-positions=all|last`,
/// `--max-seq-len=N`); call
/// before llvm::cl::ParseCommandLineOptions.
void registerSpecOverrideOptions();

/// The first override option given on the command line, spelt as
/// `--output-positions` or `--max-seq-len`, for tools to reject it where
/// there is no spec.
std::optional<llvm::StringRef> getGivenSpecOverride();

/// Sets the fields of `spec`, loaded through `sourceMgr`, that the command
/// line overrides. An override that the model rules out is reported as an
/// error at the spec field that rules it out (or the family whose default
/// it is); returns false then.
bool applySpecOverrides(ModelSpec &spec, llvm::SourceMgr &sourceMgr);

} // namespace kiln

#endif // KILN_FRONTEND_SPECOVERRIDES_H
