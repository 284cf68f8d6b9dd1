//===- ModelTestSupport.h - Running the toy model in tests ------*- C++ -*-===//
//
// Owning wrappers of kiln_model, the toy model's hand-chosen weights as a
// checkpoint, and shorthands for opening the toy, setting its inputs and
// reading its outputs through the C API.
//
// The weights are small integers and halves, exact in F32 and BF16, so that
// every output of the toy can be computed by hand:
//
//   embed.table[v] = [v, v + 1, 2v, -v]    embed.scale = [1, 0.5, 2, 1]
//   embed.bias     = [0, 1, 0, -1]         lm_head[v]  = +-e(v mod 4)
//
// so scaled[v] = [v, (v + 1) / 2 + 1, 4v, -v - 1] and the logits of a token
// are its hidden state followed by its negation.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_UNITTESTS_RUNTIME_MODELTESTSUPPORT_H
#define KILN_UNITTESTS_RUNTIME_MODELTESTSUPPORT_H

#include "kiln/runtime.h"
#include "unittests/Runtime/RuntimeTestSupport.h"
#include "runtime/writer/SafetensorsWriter.h"

#include <memory>
#include <string>
#include <vector>

namespace kiln::runtime::test {

/// Frees a kiln_model.
struct FreeModel {
  void operator()(kiln_model *model) const { kiln_model_free(model); }
};
/// An owned kiln_model.
using ModelPtr = std::unique_ptr<kiln_model, FreeModel>;

/// The result of opening a model: the model on success, else an error.
struct OpenModelResult {
  ModelPtr model;
  StatusPtr status;
};

/// The toy's weights as stored in a checkpoint, in `dtype` ("F32" or
/// "BF16"), lm_head transposed.
std::vector<safetensors::SafetensorsTensor>
makeToyCheckpoint(const std::string &dtype);

/// Options with the defaults, `numThreads` threads and no pinning (tests
/// share their machine).
kiln_model_options makeOptions(int32_t numThreads);

/// Opens `desc` with `options`.
OpenModelResult openModel(const kiln_model_options &options,
                          const kiln_model_desc &desc = kiln_compiled_model);

/// Sets the toy's input_ids to `ids` and its attention_mask to `mask`
/// (all ones when empty), each [batch][seq].
StatusPtr setToyInputs(kiln_model *model,
                       const std::vector<std::vector<int64_t>> &ids,
                       const std::vector<std::vector<int64_t>> &mask = {});

/// The values of F32 output `index` of `model` after a run; its shape goes
/// to `shape` when given. Records a test failure on an error.
std::vector<float> readOutput(const kiln_model *model, int32_t index,
                              std::vector<int64_t> *shape = nullptr);

} // namespace kiln::runtime::test

#endif // KILN_UNITTESTS_RUNTIME_MODELTESTSUPPORT_H
