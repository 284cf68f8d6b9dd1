//===- ToyModel.h - A hand-written model to test the runtime ----*- C++ -*-===//
//
// TEST FIXTURE. The runtime runs code that kiln-compile generates; to test
// it on its own, ToyModel.cpp implements the model ABI by hand for a tiny
// model, exactly as generated code would: a constant descriptor called
// `kiln_compiled_model` and a `forward` whose kernels run through
// kiln_parallel_for and are bracketed by profile calls.
//
// The toy embeds token ids and reads them out:
//
//   scaled[v, :]     = embed.table[v, :] * embed.scale + embed.bias  (arena)
//   hidden_states    = scaled[input_ids]                    [batch, seq, 4]
//   logits           = hidden_states . lm_head^T            [batch, seq, 8]
//   pooled_embedding = mean of hidden_states over the positions whose
//                      attention_mask is 1                  [batch, 4]
//
// `lm_head` is stored transposed in checkpoints ([4, 8]). The pooling kernel
// fails with toyBadMaskCode on a mask value other than 0 or 1, standing in
// for a kernel's run-time error, and forward refuses unaligned buffers.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_UNITTESTS_RUNTIME_TOYMODEL_H
#define KILN_UNITTESTS_RUNTIME_TOYMODEL_H

#include "kiln/model_abi.h"

#include <cstdint>

namespace kiln::runtime::test {

/// The toy's vocabulary size, width and size maxima.
constexpr int64_t toyVocab = 8;
constexpr int64_t toyWidth = 4;
constexpr int64_t toyMaxBatch = 4;
constexpr int64_t toyMaxSeq = 16;

/// What the pooling kernel returns for a mask value other than 0 or 1.
constexpr int32_t toyBadMaskCode = 3;
/// What forward returns when the runtime passes a buffer that is not
/// KILN_ARENA_ALIGNMENT-aligned.
constexpr int32_t toyMisalignedCode = 4;

/// The indices of the toy's kernel calls and outputs.
enum ToyKernelCall : int32_t {
  toyAffineCall,
  toyGatherCall,
  toyLinearCall,
  toyPoolCall,
  toyNumKernelCalls
};
enum ToyOutput : int32_t {
  toyLogitsOutput,
  toyHiddenOutput,
  toyPooledOutput,
  toyNumOutputs
};

} // namespace kiln::runtime::test

#endif // KILN_UNITTESTS_RUNTIME_TOYMODEL_H
