//===- SpecValidation.h - Consistency checks of a model spec ----*- C++ -*-===//
//
// The checks that a complete ModelSpec must pass before MLIRGen may rely on
// it, whichever format it came from: value ranges, shapes that must divide
// (d_model by heads, heads by kv_heads), features that need each other (RoPE
// and an even head dimension, a sliding window and a causal mask, pooling and
// an encoder), and a checkpoint tensor for every weight the model reads.
// Each error points at the field that causes it, spelled as the input
// spells it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_SPECVALIDATION_H
#define KILN_FRONTEND_SPECVALIDATION_H

#include "frontend/ModelSpec.h"
#include "frontend/SpecDiagnostics.h"

#include "llvm/ADT/StringMap.h"

#include <cstdint>
#include <limits>
#include <string>

namespace kiln {

/// The largest size a spec may give (vocabulary, widths, layers, lengths):
/// products of two sizes then still fit in int64_t.
inline constexpr int64_t kMaxSpecSize = std::numeric_limits<int32_t>::max();

/// The most layers a stack may have: far more than any trained model, few
/// enough that emitting them takes seconds.
inline constexpr int64_t kMaxLayers = 4096;

/// How an input format spells ModelSpec fields in diagnostics, keyed by the
/// dotted spec path (`attention.heads` -> `n_head`). Fields without an entry
/// are spelled as their path, which is the YAML spelling.
using FieldSpellings = llvm::StringMap<std::string>;

/// Whether `name` can name a model (and so its generated function and
/// binary): non-empty, only letters, digits, `_`, `-` and `.`.
bool isValidModelName(llvm::StringRef name);

/// `text` with every character a model name cannot hold replaced by `_`, or
/// `model` if that leaves nothing.
std::string toModelName(llvm::StringRef text);

/// Checks a spec whose defaults have been applied. Reports the first problem
/// as an error at the responsible field (ModelSpec::locOf) and returns false;
/// returns true if the spec is consistent. Also warns about weight bindings
/// the model does not use.
bool validateModelSpec(const ModelSpec &spec, SpecDiagnostics &diagnostics,
                       const FieldSpellings &spellings = {});

} // namespace kiln

#endif // KILN_FRONTEND_SPECVALIDATION_H
