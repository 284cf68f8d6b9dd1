//===- kiln/weights.h - Weights from safetensors checkpoints ------*- C -*-===//
//
// Opens a checkpoint — one `.safetensors` file, a sharded checkpoint's
// `model.safetensors.index.json`, or a directory holding either — maps its
// files read-only and validates every header before anything is read: a
// truncated, oversized or inconsistent file is reported as an error, never
// read out of bounds. Tensors are then looked up by name and copied into
// caller buffers in the element type the model computes in, after checking
// their shape against the one the model expects.
//
// A name is looked up as Hugging Face models load their checkpoints: the
// tensor of that name, else the one below a single leading component, the
// prefix under which task models such as `BertForMaskedLM` (`bert.`) and
// `GPT2LMHeadModel` (`transformer.`) store their base model; either also
// under the legacy LayerNorm spelling that ends in `.gamma` or `.beta`
// instead of `.weight` or `.bias`. Two prefixes that both hold the name are
// an error.
//
// Validation follows the reference implementation: the header length is at
// most 100,000,000 bytes; the header is strict JSON (RFC 8259) describing
// each tensor by `dtype`, `shape` and `data_offsets`, plus an optional
// `__metadata__` object of strings; the tensors, sorted by offset, must
// cover the data region exactly, without overlaps, gaps or trailing bytes.
// It is stricter in three ways, each a sign of a crafted file: a repeated
// key, an unknown field in a tensor entry and a NUL in a tensor name are
// errors. A sharded checkpoint's index must map every tensor of every shard
// to that shard, and nothing else, and name shards inside its directory.
//
// A kiln_weights is immutable once opened, so it may be read from several
// threads at once. The mapping lives until kiln_weights_close; a file that
// is truncated by another process while mapped cannot be defended against.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_WEIGHTS_H
#define KILN_WEIGHTS_H

#include "kiln/dtype.h"
#include "kiln/status.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An open, validated checkpoint; opaque.
typedef struct kiln_weights kiln_weights;

/// Where and what one tensor of a checkpoint is. The pointers stay valid
/// until the checkpoint is closed.
typedef struct kiln_tensor_info {
  /// The tensor's name in the checkpoint.
  const char *name;
  /// The element type it is stored in.
  kiln_dtype dtype;
  /// Number of dimensions; 0 for a scalar.
  size_t rank;
  /// `rank` dimension sizes, outermost first.
  const int64_t *shape;
  /// The stored bytes, little-endian, inside the read-only mapping. They are
  /// not aligned to the element size: read them with memcpy.
  const void *data;
  /// Number of bytes at `data`.
  size_t size_bytes;
  /// The file that holds the tensor.
  const char *path;
} kiln_tensor_info;

/// Opens and validates the checkpoint at `path`: a `.safetensors` file, a
/// `.json` index of shards, or a directory containing `model.safetensors`
/// or else `model.safetensors.index.json`. On success stores the checkpoint
/// in `*weights`, which the caller closes with kiln_weights_close.
kiln_status *kiln_weights_open(const char *path, kiln_weights **weights);

/// Unmaps and frees `weights`; does nothing when it is NULL.
void kiln_weights_close(kiln_weights *weights);

/// Number of tensors in `weights`, over all shards.
size_t kiln_weights_num_tensors(const kiln_weights *weights);

/// Describes the tensor at `index` (0 <= index < kiln_weights_num_tensors);
/// tensors are ordered by name.
kiln_status *kiln_weights_get_tensor(const kiln_weights *weights, size_t index,
                                     kiln_tensor_info *info);

/// Describes the tensor that holds `name` (see above for the names tried);
/// a KILN_STATUS_NOT_FOUND error names the tensor and the checkpoint's
/// files when there is none.
kiln_status *kiln_weights_find_tensor(const kiln_weights *weights,
                                      const char *name, kiln_tensor_info *info);

/// Copies the tensor that holds `name` into `buffer` as `dtype` elements, after
/// checking that its shape is the `expected_rank` sizes at `expected_shape`.
/// Any type is copied to itself bit for bit; F64, F32, F16 and BF16 also
/// convert to one another, rounding to nearest-even (overflow gives
/// infinity, NaN stays NaN). `buffer_size` must hold the whole tensor.
kiln_status *kiln_weights_read_tensor(const kiln_weights *weights,
                                      const char *name,
                                      const int64_t *expected_shape,
                                      size_t expected_rank, kiln_dtype dtype,
                                      void *buffer, size_t buffer_size);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // KILN_WEIGHTS_H
