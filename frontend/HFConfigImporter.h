//===- HFConfigImporter.h - Import a Hugging Face config.json ---*- C++ -*-===//
//
// Maps the `config.json` of a Hugging Face model (GPT-2, BERT, LLaMA,
// Qwen3, ...; docs/spec.md lists the model types) onto a ModelSpec of the
// matching family. Keys that change what
// the model computes and that Kiln does not implement (a `rope_scaling` other
// than linear or llama3, a relative `position_embedding_type`,
// `scale_attn_by_inverse_layer_idx`, ...) are errors; keys that do not
// affect inference (dropout, token ids, generation settings) are accepted;
// any other key gets a warning, since configs carry many harmless extras.
// Diagnostics point at the key.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_HFCONFIGIMPORTER_H
#define KILN_FRONTEND_HFCONFIGIMPORTER_H

#include "frontend/ModelSpec.h"
#include "frontend/SpecDiagnostics.h"

#include <optional>

namespace kiln {

/// Imports the config.json in buffer `bufferId` of the diagnostics'
/// SourceMgr, fills in the family's defaults and validates the result.
/// Returns std::nullopt after reporting at least one error.
std::optional<ModelSpec> importHFConfig(unsigned bufferId,
                                        SpecDiagnostics &diagnostics);

} // namespace kiln

#endif // KILN_FRONTEND_HFCONFIGIMPORTER_H
