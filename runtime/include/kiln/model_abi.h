//===- kiln/model_abi.h - Contract of compiled models and runtime -*- C -*-===//
//
// What `kiln-compile` generates for a model and what the runtime relies on:
// a constant descriptor of the model (its run-time sizes, inputs, weights,
// outputs and arena) and its forward function. The runtime loads weights
// and validates inputs against the descriptor, owns the arena and the
// threads, and calls `forward`; the generated code calls back into the
// runtime only for parallel loops and around each kernel call (for profiles
// and for naming a failed call).
//
// Dimensions: a dimension size >= 0 is static; a negative size -(k + 1)
// stands for the run-time size symbol k of the descriptor (`batch`, `seq`,
// `encoder_seq`, ...), whose value is chosen per run within its maximum.
//
// Bump KILN_MODEL_ABI_VERSION on any change to these structures.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_MODEL_ABI_H
#define KILN_MODEL_ABI_H

#include "kiln/dtype.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KILN_MODEL_ABI_VERSION 3

/// Alignment in bytes of the arena and of every buffer in it.
#define KILN_ARENA_ALIGNMENT 64

/// A size chosen at run time, such as the batch or the sequence length.
typedef struct kiln_size_symbol {
  /// "batch", "seq", "encoder_seq", ...
  const char *name;
  /// The largest value the compiled code and its arena support.
  int64_t max;
} kiln_size_symbol;

/// Dimension `size` of a tensor stands for size symbol `symbol`.
#define KILN_SYMBOLIC_DIM(symbol) (-(int64_t)(symbol)-1)

/// One input, weight or output of a model. (Named apart from the
/// checkpoint's kiln_tensor_info of kiln/weights.h, which describes a stored
/// tensor rather than one the model reads or writes.)
typedef struct kiln_tensor_desc {
  /// Inputs: "input_ids", "attention_mask", ...; weights: the checkpoint
  /// tensor name; outputs: "logits", "hidden_states", "pooled_embedding".
  const char *name;
  /// The element type the compiled code reads or writes.
  kiln_dtype dtype;
  int32_t rank;
  /// `rank` sizes, static or symbolic (see KILN_SYMBOLIC_DIM).
  const int64_t *dims;
  /// Token-id inputs: ids must lie in [0, id_bound); 0 for other tensors.
  int64_t id_bound;
  /// KILN_TENSOR_* flags.
  uint32_t flags;
} kiln_tensor_desc;

/// A rank-2 weight that the checkpoint stores transposed ([in, out], as
/// GPT-2's Conv1D layers do): the runtime transposes it once while loading,
/// so `forward` always reads the [dims[0], dims[1]] layout.
#define KILN_TENSOR_TRANSPOSED_IN_CHECKPOINT 1u

/// A weight that `forward` reads only through its packed copies (see
/// kiln_packed_weight_desc): the runtime may release it once they are made.
#define KILN_TENSOR_READ_ONLY_PACKED 2u

/// The layouts of packed weights (kiln_packed_weight_desc::format). Both
/// group the rows of a row-major f32 [rows, cols] weight into panels of
/// `panel_width` rows, padded with zero rows to whole panels.
typedef enum kiln_packed_format {
  /// f32, each panel stored column by column: element [p][c][t] of the
  /// copy (row-major, ceil(rows / panel_width) * cols * panel_width
  /// floats) is weight[p * panel_width + t][c].
  KILN_PACKED_F32_PANELS = 0,
  /// The three bf16 pieces (hi, mid, lo) that sum to each f32 value
  /// exactly, in the tiles that AMX kernels read (runtime/src/AmxLayout.h):
  /// per panel, per group of 16 rows, per step of 32 columns (the last
  /// padded with zeros), the three pieces' tiles of 16 column pairs by 16
  /// rows, each row's two columns adjacent. `panel_width` is a multiple of
  /// 32.
  KILN_PACKED_BF16X3_TILES = 1,
} kiln_packed_format;

/// A copy of a weight in the layout a kernel reads, which the runtime makes
/// once, after loading the weights.
typedef struct kiln_packed_weight_desc {
  /// The index of the weight in kiln_model_desc::weights, a row-major f32
  /// [rows, cols] matrix.
  int32_t weight;
  int32_t panel_width;
  /// A kiln_packed_format.
  int32_t format;
} kiln_packed_weight_desc;

/// Everything one call of `forward` reads and writes. All tensors are dense
/// and row-major.
typedef struct kiln_forward_args {
  /// The value of each size symbol for this run.
  const int64_t *sizes;
  /// The data of each input, in descriptor order.
  const void *const *inputs;
  /// The data of each weight, in descriptor order, already converted to the
  /// weight's dtype; NULL for a weight flagged KILN_TENSOR_READ_ONLY_PACKED.
  const void *const *weights;
  /// The data of each packed weight, in descriptor order.
  const void *const *packed_weights;
  /// At least `arena_bytes` bytes, KILN_ARENA_ALIGNMENT-aligned.
  void *arena;
  /// Caller-owned buffers for each output, sized for `sizes`.
  void *const *outputs;
  /// Opaque runtime state to pass to kiln_profile_kernel_begin/end, or
  /// NULL. The runtime always passes one: it remembers the last kernel call
  /// begun, so that a failure can be reported by the call's name, and it
  /// times the calls when profiling is on.
  void *profiler;
} kiln_forward_args;

/// A compiled model's forward function: 0 on success, otherwise the
/// non-zero code of the kernel that failed. It returns right after the
/// failed kernel call, before beginning another, so that the runtime can
/// name the last call begun in its error.
typedef int32_t (*kiln_forward_fn)(const kiln_forward_args *args);

/// The constant description of a compiled model.
typedef struct kiln_model_desc {
  /// KILN_MODEL_ABI_VERSION of the compiler that generated it.
  uint32_t abi_version;
  /// The model's name from its spec.
  const char *name;
  /// "logits", "hidden_states" or "pooled_embedding".
  const char *output_kind;
  int32_t num_sizes;
  const kiln_size_symbol *sizes;
  int32_t num_inputs;
  const kiln_tensor_desc *inputs;
  int32_t num_weights;
  const kiln_tensor_desc *weights;
  int32_t num_packed_weights;
  const kiln_packed_weight_desc *packed_weights;
  int32_t num_outputs;
  const kiln_tensor_desc *outputs;
  /// Bytes of scratch memory `forward` needs at the maximum sizes.
  int64_t arena_bytes;
  /// Names of the kernel calls in `forward`, in call order, for profiles:
  /// "<op scope> (<kernel>)".
  int32_t num_kernel_calls;
  const char *const *kernel_call_names;
  kiln_forward_fn forward;
} kiln_model_desc;

/// The descriptor of the model compiled into an executable. `kiln-compile`
/// defines it in the code it generates, and the runtime's `main` (library
/// KilnMain) runs the model it describes.
extern const kiln_model_desc kiln_compiled_model;

//===----------------------------------------------------------------------===//
// Provided by the runtime, called by generated code
//===----------------------------------------------------------------------===//

/// A loop body: runs iteration `index` with `closure`; returns 0 on success.
typedef int32_t (*kiln_task_fn)(void *user_context, int32_t index,
                                uint8_t *closure);

/// Runs `task` for every index in [min, min + count) on the runtime's
/// thread pool and returns 0, or the first non-zero result of a task (after
/// which the remaining indices may be skipped). `user_context` and `closure`
/// are passed to `task` unchanged. Kernels' parallel loops are routed here.
/// A call made from inside a task, or from a thread that is not running a
/// model, runs its indices in order on the calling thread.
int32_t kiln_parallel_for(void *user_context, kiln_task_fn task, int32_t min,
                          int32_t count, uint8_t *closure);

/// Records the message of a failing kernel (an extent it was not compiled
/// for, an out-of-bounds access it refused); the kernel then returns a
/// non-zero code, and the runtime's error for the run carries the message.
/// Kernels' error reports are routed here instead of aborting.
void kiln_kernel_error(void *user_context, const char *message);

/// Prefetches into the L2 cache the `part`-th of `parts` equal parts of the
/// `bytes` bytes at `offset` bytes from `base`; returns 0. Packed linear
/// kernels call it from each register tile of rows, so that between them
/// the tiles of a block fetch the weights of the next block of the
/// contraction while they compute the current one. Prefetches never fault:
/// the bytes may lie past the weights.
int32_t kiln_prefetch_part(const void *base, int64_t offset, int64_t bytes,
                           int32_t part, int32_t parts);

/// Computes a block of a linear layer on AMX tiles at f32 accuracy, as the
/// extern stage of packed linear kernels scheduled for AMX
/// (runtime/src/AmxLinear.cpp): `out` (lane, row, panel, batch...) is the
/// product of the input's bf16 pieces `pieces` (tile-major, see
/// runtime/src/AmxLayout.h) and the weight's `weight`
/// (KILN_PACKED_BF16X3_TILES) over `depth` input features. Answers
/// Halide's bounds queries; fails through kiln_kernel_error where the CPU
/// or OS provides no AMX.
struct halide_buffer_t;
int32_t kiln_amx_linear(struct halide_buffer_t *pieces,
                        struct halide_buffer_t *weight, int32_t depth,
                        struct halide_buffer_t *out);

/// Computes blocks of 32 queries of fused attention on AMX tiles at f32
/// accuracy, as the extern stage of attention kernels scheduled for AMX
/// (runtime/src/AmxAttention.cpp): `out` (feature, query in block, block,
/// head, batch) from the bf16 pieces of the scaled queries, the keys and
/// the values, tile-major as the kernel's Halide stages lay them out, and
/// per key whether the key padding keeps it. The queries see the keys at
/// positions offset by `position_offset`, through a causal mask and a
/// window of `window` keys (0: none); query head h reads key/value head
/// h / `group_size`. Answers Halide's bounds queries; fails through
/// kiln_kernel_error where the CPU or OS provides no AMX.
int32_t kiln_amx_attention(struct halide_buffer_t *queries,
                           struct halide_buffer_t *keys,
                           struct halide_buffer_t *values,
                           struct halide_buffer_t *key_visible,
                           int32_t head_dim, int32_t num_keys,
                           int32_t position_offset, int32_t group_size,
                           int32_t is_causal, int32_t window,
                           struct halide_buffer_t *out);

/// Marks the start and end of kernel call `call` (an index into
/// `kernel_call_names`) for the profiler passed in kiln_forward_args; do
/// nothing when `profiler` is NULL.
void kiln_profile_kernel_begin(void *profiler, int32_t call);
void kiln_profile_kernel_end(void *profiler, int32_t call);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // KILN_MODEL_ABI_H
