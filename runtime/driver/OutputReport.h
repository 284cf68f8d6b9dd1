//===- OutputReport.h - Printing a model's outputs for people ---*- C++ -*-===//
//
// How the executables show what a model computed: the most likely next
// tokens for `logits`, the vector and its norm for `pooled_embedding`, and
// the shape and statistics of anything else (`hidden_states`).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_DRIVER_OUTPUTREPORT_H
#define KILN_RUNTIME_DRIVER_OUTPUTREPORT_H

#include "kiln/runtime.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace kiln::driver {

/// Prints output `index` of `model`, which has run on `numTokens` tokens
/// (of the decoder, for an encoder-decoder), to `stream`; `topK` bounds the
/// next tokens listed for logits, which follow the last token whether the
/// logits cover every position or the last one only. Returns an error when
/// the output cannot be read.
kiln_status *printOutput(std::FILE *stream, const kiln_model *model,
                         int32_t index, int64_t topK, int64_t numTokens);

/// Writes output `index` of `model`, which has run, to `path` as a NumPy
/// .npy array (version 1.0, little-endian float32, C order). Returns the
/// error message, or "" on success.
std::string writeOutputNpy(const kiln_model *model, int32_t index,
                           const std::string &path);

} // namespace kiln::driver

#endif // KILN_RUNTIME_DRIVER_OUTPUTREPORT_H
