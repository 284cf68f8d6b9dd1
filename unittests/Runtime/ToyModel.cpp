//===- ToyModel.cpp - A hand-written model to test the runtime ------------===//
//
// TEST FIXTURE: the toy model of ToyModel.h, written the way kiln-compile's
// generated code is: it includes only kiln/model_abi.h, reads everything
// through kiln_forward_args, and parallelises each kernel over rows.
//
//===----------------------------------------------------------------------===//

#include "unittests/Runtime/ToyModel.h"

using namespace kiln::runtime::test;

namespace {
/// The buffers of one forward call, passed to every task as its closure.
struct ToyBuffers {
  int64_t batch;
  int64_t seq;
  const int64_t *ids;
  const int64_t *mask;
  const float *table;
  const float *scale;
  const float *bias;
  /// lm_head packed into panels of toyHeadPanelWidth rows.
  const float *packedHead;
  float *scaled;
  float *logits;
  float *hidden;
  float *pooled;
};
} // namespace

/// The buffers of the closure `closure`.
static const ToyBuffers &getBuffers(uint8_t *closure) {
  return *reinterpret_cast<const ToyBuffers *>(closure);
}

/// scaled[v, :] = table[v, :] * scale + bias, for v = `row`.
static int32_t runAffine(void *, int32_t row, uint8_t *closure) {
  const ToyBuffers &b = getBuffers(closure);
  for (int64_t c = 0; c < toyWidth; ++c)
    b.scaled[row * toyWidth + c] =
        b.table[row * toyWidth + c] * b.scale[c] + b.bias[c];
  return 0;
}

/// hidden[token, :] = scaled[ids[token], :] for the flattened `token`.
static int32_t runGather(void *, int32_t token, uint8_t *closure) {
  const ToyBuffers &b = getBuffers(closure);
  for (int64_t c = 0; c < toyWidth; ++c)
    b.hidden[token * toyWidth + c] = b.scaled[b.ids[token] * toyWidth + c];
  return 0;
}

/// The rows per panel of the packed lm_head.
static constexpr int32_t toyHeadPanelWidth = 3;

/// logits[token, v] = hidden[token, :] . head[v, :], reading head[v, c]
/// from its packed copy (see kiln_packed_weight_desc).
static int32_t runLinear(void *, int32_t token, uint8_t *closure) {
  const ToyBuffers &b = getBuffers(closure);
  for (int64_t v = 0; v < toyVocab; ++v) {
    const float *panel =
        b.packedHead + (v / toyHeadPanelWidth) * toyWidth * toyHeadPanelWidth;
    float sum = 0;
    for (int64_t c = 0; c < toyWidth; ++c)
      sum += b.hidden[token * toyWidth + c] *
             panel[c * toyHeadPanelWidth + v % toyHeadPanelWidth];
    b.logits[token * toyVocab + v] = sum;
  }
  return 0;
}

/// pooled[batch, :] = the mean of hidden[batch, s, :] over the positions s
/// whose mask is 1 (zeros when there are none).
static int32_t runPool(void *, int32_t batch, uint8_t *closure) {
  const ToyBuffers &b = getBuffers(closure);
  float sums[toyWidth] = {};
  int64_t count = 0;
  for (int64_t s = 0; s < b.seq; ++s) {
    int64_t token = batch * b.seq + s;
    if (b.mask[token] != 0 && b.mask[token] != 1) {
      // As a Halide kernel does: report, then return the error code.
      kiln_kernel_error(nullptr, "toy mask values must be 0 or 1\n");
      return toyBadMaskCode;
    }
    if (b.mask[token] == 0)
      continue;
    ++count;
    for (int64_t c = 0; c < toyWidth; ++c)
      sums[c] += b.hidden[token * toyWidth + c];
  }
  for (int64_t c = 0; c < toyWidth; ++c)
    b.pooled[batch * toyWidth + c] = count ? sums[c] / count : 0.0f;
  return 0;
}

/// Runs kernel call `call` as a parallel loop of `count` tasks and returns
/// its status; like generated code, it ends the call even when it failed.
static int32_t runKernel(const kiln_forward_args *args, int32_t call,
                         kiln_task_fn task, int64_t count,
                         ToyBuffers &buffers) {
  kiln_profile_kernel_begin(args->profiler, call);
  int32_t status =
      kiln_parallel_for(nullptr, task, 0, static_cast<int32_t>(count),
                        reinterpret_cast<uint8_t *>(&buffers));
  kiln_profile_kernel_end(args->profiler, call);
  return status;
}

/// Whether `pointer` has the alignment the ABI promises.
static bool isAligned(const void *pointer) {
  return reinterpret_cast<uintptr_t>(pointer) % KILN_ARENA_ALIGNMENT == 0;
}

/// Whether the runtime passed aligned buffers, as the ABI promises and as
/// generated kernels may assume.
static bool hasAlignedBuffers(const kiln_forward_args *args) {
  bool aligned = isAligned(args->arena);
  for (int32_t i = 0; i < 2; ++i)
    aligned &= isAligned(args->inputs[i]);
  for (int32_t i = 0; i < 3; ++i)
    aligned &= isAligned(args->weights[i]);
  aligned &= isAligned(args->packed_weights[0]);
  for (int32_t i = 0; i < toyNumOutputs; ++i)
    aligned &= isAligned(args->outputs[i]);
  return aligned;
}

/// The toy's forward function.
static int32_t toyForward(const kiln_forward_args *args) {
  if (!hasAlignedBuffers(args))
    return toyMisalignedCode;
  ToyBuffers buffers = {
      args->sizes[0],
      args->sizes[1],
      static_cast<const int64_t *>(args->inputs[0]),
      static_cast<const int64_t *>(args->inputs[1]),
      static_cast<const float *>(args->weights[0]),
      static_cast<const float *>(args->weights[1]),
      static_cast<const float *>(args->weights[2]),
      static_cast<const float *>(args->packed_weights[0]),
      static_cast<float *>(args->arena),
      static_cast<float *>(args->outputs[toyLogitsOutput]),
      static_cast<float *>(args->outputs[toyHiddenOutput]),
      static_cast<float *>(args->outputs[toyPooledOutput]),
  };
  int64_t tokens = buffers.batch * buffers.seq;
  if (int32_t status =
          runKernel(args, toyAffineCall, runAffine, toyVocab, buffers))
    return status;
  if (int32_t status =
          runKernel(args, toyGatherCall, runGather, tokens, buffers))
    return status;
  if (int32_t status =
          runKernel(args, toyLinearCall, runLinear, tokens, buffers))
    return status;
  return runKernel(args, toyPoolCall, runPool, buffers.batch, buffers);
}

/// [batch, seq], [batch, seq, width], ... as symbolic dimensions.
static const int64_t batchSeqDims[] = {KILN_SYMBOLIC_DIM(0),
                                       KILN_SYMBOLIC_DIM(1)};
static const int64_t logitsDims[] = {KILN_SYMBOLIC_DIM(0), KILN_SYMBOLIC_DIM(1),
                                     toyVocab};
static const int64_t hiddenDims[] = {KILN_SYMBOLIC_DIM(0), KILN_SYMBOLIC_DIM(1),
                                     toyWidth};
static const int64_t pooledDims[] = {KILN_SYMBOLIC_DIM(0), toyWidth};
static const int64_t tableDims[] = {toyVocab, toyWidth};
static const int64_t widthDims[] = {toyWidth};

static const kiln_size_symbol toySizes[] = {{"batch", toyMaxBatch},
                                            {"seq", toyMaxSeq}};

static const kiln_tensor_desc toyInputs[] = {
    {"input_ids", KILN_DTYPE_I64, 2, batchSeqDims, toyVocab, 0},
    {"attention_mask", KILN_DTYPE_I64, 2, batchSeqDims, 0, 0},
};

static const kiln_tensor_desc toyWeights[] = {
    {"embed.table", KILN_DTYPE_F32, 2, tableDims, 0, 0},
    {"embed.scale", KILN_DTYPE_F32, 1, widthDims, 0, 0},
    {"embed.bias", KILN_DTYPE_F32, 1, widthDims, 0, 0},
    {"lm_head", KILN_DTYPE_F32, 2, tableDims, 0,
     KILN_TENSOR_TRANSPOSED_IN_CHECKPOINT | KILN_TENSOR_READ_ONLY_PACKED},
};

static const kiln_packed_weight_desc toyPackedWeights[] = {
    {3, toyHeadPanelWidth, KILN_PACKED_F32_PANELS}};

static const kiln_tensor_desc toyOutputs[] = {
    {"logits", KILN_DTYPE_F32, 3, logitsDims, 0, 0},
    {"hidden_states", KILN_DTYPE_F32, 3, hiddenDims, 0, 0},
    {"pooled_embedding", KILN_DTYPE_F32, 2, pooledDims, 0, 0},
};

static const char *const toyKernelCallNames[] = {
    "embed.affine (toy_affine)",
    "embed.gather (toy_gather)",
    "lm_head (toy_linear)",
    "pool.mean (toy_mean_pool)",
};

const kiln_model_desc kiln_compiled_model = {
    KILN_MODEL_ABI_VERSION,
    "toy",
    "logits",
    2,
    toySizes,
    2,
    toyInputs,
    4,
    toyWeights,
    1,
    toyPackedWeights,
    toyNumOutputs,
    toyOutputs,
    toyVocab *toyWidth * sizeof(float),
    toyNumKernelCalls,
    toyKernelCallNames,
    toyForward,
};
