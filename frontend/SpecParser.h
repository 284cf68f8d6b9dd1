//===- SpecParser.h - Parse Kiln's YAML model spec --------------*- C++ -*-===//
//
// Reads Kiln's own YAML model description (docs/spec.md) into a ModelSpec:
// sections `model`, `attention`, `ffn`, `norm`, `positions`, `embeddings`,
// `encoder`, `decoder`, `output` and `weights`, each a mapping of typed
// fields. Unknown sections and fields, values of the wrong type and missing
// required fields are errors at the offending key or value; then the
// family's defaults are applied and the result is validated.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_SPECPARSER_H
#define KILN_FRONTEND_SPECPARSER_H

#include "frontend/ModelSpec.h"
#include "frontend/SpecDiagnostics.h"

#include <optional>

namespace kiln {

/// Parses the YAML spec in buffer `bufferId` of the diagnostics' SourceMgr,
/// fills in defaults and validates it. Returns std::nullopt after reporting
/// at least one error.
std::optional<ModelSpec> parseKilnSpec(unsigned bufferId,
                                       SpecDiagnostics &diagnostics);

} // namespace kiln

#endif // KILN_FRONTEND_SPECPARSER_H
