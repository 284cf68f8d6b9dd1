//===- kiln/runtime.h - The C API of the Kiln runtime -------------*- C -*-===//
//
// The one header that programs using a Kiln-compiled model include. The
// runtime is plain C++ behind this C ABI and depends on neither MLIR nor
// LLVM.
//
// A model is opened from its compiled descriptor (kiln/model_abi.h) with
// its weights, which loads the weights, allocates its memory once and
// starts its threads. A run then takes the inputs set since it was opened
// (their shapes choose the run-time sizes, such as the sequence length,
// within the model's maxima) and fills the outputs, which stay readable
// until the next run. Every fallible call returns a kiln_status (NULL on
// success) whose message names the input, weight or kernel at fault.
//
// A model may be used by one thread at a time; several models may run on
// different threads at once.
//
// Profiling (option `profile`, or the environment variable KILN_PROFILE=1)
// times every kernel call. kiln_model_write_profile, or else kiln_model_free,
// prints a table sorted by time to stderr and writes a Chrome trace to
// `profile_trace_path`, else $KILN_PROFILE_TRACE, else kiln-trace.json.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_H
#define KILN_RUNTIME_H

#include "kiln/dtype.h"
#include "kiln/model_abi.h"
#include "kiln/status.h"
#include "kiln/weights.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

//===----------------------------------------------------------------------===//
// Opening a model
//===----------------------------------------------------------------------===//

/// An open model: its weights, memory, threads, inputs and outputs; opaque.
typedef struct kiln_model kiln_model;

/// How to open a model. Initialise with kiln_model_options_init, then set
/// what differs from the defaults.
typedef struct kiln_model_options {
  /// The checkpoint to load the weights from (see kiln_weights_open);
  /// default NULL. Required unless `random_weights` is set.
  const char *weights_path;
  /// Use seeded pseudo-random weights instead of a checkpoint; default
  /// false.
  bool random_weights;
  /// The seed of the random weights; default 0.
  uint64_t seed;
  /// Threads running kernels, the one calling kiln_model_run included;
  /// default 0, one per CPU the process may use.
  int32_t num_threads;
  /// Pin worker thread i to the i-th usable CPU; default true.
  bool pin_threads;
  /// Time every kernel call; default false. KILN_PROFILE=1 in the
  /// environment turns it on too.
  bool profile;
  /// Where to write the Chrome trace of a profile; default NULL, meaning
  /// $KILN_PROFILE_TRACE, else "kiln-trace.json".
  const char *profile_trace_path;
} kiln_model_options;

/// Sets `options` to the defaults.
void kiln_model_options_init(kiln_model_options *options);

/// Opens the model `desc` describes: checks its ABI version, loads every
/// weight it lists from the checkpoint by name (converting each to the
/// weight's dtype and checking its shape) or makes random ones, allocates
/// its arena and starts its threads. `desc` must outlive the model (it is
/// normally a constant); `options` may be NULL for the defaults. On success
/// stores the model in `*model`, which the caller frees with
/// kiln_model_free.
kiln_status *kiln_model_open(const kiln_model_desc *desc,
                             const kiln_model_options *options,
                             kiln_model **model);

/// Writes a pending profile (see kiln_model_write_profile, reporting its
/// errors on stderr), stops the threads and frees `model`; does nothing
/// when it is NULL.
void kiln_model_free(kiln_model *model);

//===----------------------------------------------------------------------===//
// Introspection
//===----------------------------------------------------------------------===//

/// The model's name; valid while it is open.
const char *kiln_model_name(const kiln_model *model);

/// The number of threads running its kernels, the caller included.
int32_t kiln_model_num_threads(const kiln_model *model);

/// One run-time size of a model, such as the sequence length.
typedef struct kiln_size_info {
  /// "batch", "seq", "encoder_seq", ...
  const char *name;
  /// The largest value the model supports.
  int64_t max;
  /// The value the inputs set so far give it, or -1.
  int64_t value;
} kiln_size_info;

/// One input or output of a model. The pointers stay valid until the
/// model's inputs change or it is freed.
typedef struct kiln_io_info {
  const char *name;
  kiln_dtype dtype;
  int32_t rank;
  /// `rank` sizes; a size that depends on a run-time size no input has set
  /// yet is -1.
  const int64_t *dims;
  /// Token-id inputs: ids must lie in [0, id_bound); otherwise 0.
  int64_t id_bound;
} kiln_io_info;

/// The number of run-time sizes of `model`; 0 when it is NULL.
int32_t kiln_model_num_sizes(const kiln_model *model);

/// The number of inputs of `model`; 0 when it is NULL.
int32_t kiln_model_num_inputs(const kiln_model *model);

/// The number of outputs of `model`; 0 when it is NULL.
int32_t kiln_model_num_outputs(const kiln_model *model);

/// Describes run-time size `index` of `model`.
kiln_status *kiln_model_size_info(const kiln_model *model, int32_t index,
                                  kiln_size_info *info);

/// Describes input `index` of `model`, in descriptor order.
kiln_status *kiln_model_input_info(const kiln_model *model, int32_t index,
                                   kiln_io_info *info);

/// Describes output `index` of `model`, in descriptor order.
kiln_status *kiln_model_output_info(const kiln_model *model, int32_t index,
                                    kiln_io_info *info);

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

/// Copies the dense row-major `dtype` tensor `data` of shape `dims` (`rank`
/// sizes) into the input called `name`, after checking its dtype, rank and
/// static sizes; that each run-time size it sets is at least 1, at most the
/// model's maximum and the same as other inputs set it; and, for token ids,
/// that every id lies in [0, id_bound). On an error the inputs are
/// unchanged.
kiln_status *kiln_model_set_input(kiln_model *model, const char *name,
                                  const void *data, kiln_dtype dtype,
                                  int32_t rank, const int64_t *dims);

/// Unsets every input, so that the next ones may choose different sizes.
void kiln_model_clear_inputs(kiln_model *model);

/// Runs the model on the inputs set, which must all be set, into its
/// output buffers. A kernel's failure is a KILN_STATUS_KERNEL_FAILED error
/// naming the kernel call.
kiln_status *kiln_model_run(kiln_model *model);

/// The data and shape of output `index` from the last successful run; the
/// pointers stay valid until the next run or kiln_model_free. Its dtype is
/// that of kiln_model_output_info.
kiln_status *kiln_model_output(const kiln_model *model, int32_t index,
                               const void **data, int32_t *rank,
                               const int64_t **dims);

/// When profiling, prints the table of the runs so far to stderr and writes
/// their Chrome trace; does nothing otherwise.
kiln_status *kiln_model_write_profile(kiln_model *model);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // KILN_RUNTIME_H
