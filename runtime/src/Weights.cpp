//===- Weights.cpp - The C API of checkpoint loading ----------------------===//
//
// Implements kiln/weights.h on top of Checkpoint: checks the caller's
// arguments, checks the tensor against what the model expects, converts it,
// and makes sure no C++ exception crosses the C boundary.
//
//===----------------------------------------------------------------------===//

#include "kiln/weights.h"

#include "runtime/src/Checkpoint.h"
#include "runtime/src/Convert.h"
#include "runtime/src/DType.h"

using namespace kiln::runtime;

/// The checkpoint behind the opaque C handle.
struct kiln_weights {
  Checkpoint checkpoint;
};

/// Fills `info` from `tensor`.
static void describeTensor(const CheckpointTensor &tensor,
                           kiln_tensor_info &info) {
  const TensorEntry &entry = *tensor.entry;
  info.name = entry.name.c_str();
  info.dtype = entry.dtype;
  info.rank = entry.shape.size();
  info.shape = entry.shape.data();
  info.data = tensor.file->getData(entry);
  info.size_bytes = entry.end - entry.begin;
  info.path = tensor.file->path.c_str();
}

kiln_status *kiln_weights_open(const char *path, kiln_weights **weights) {
  return runGuarded([&] {
    if (!path || !weights)
      return invalidArgument("kiln_weights_open",
                             "path and weights must not be null");
    *weights = nullptr;
    if (!*path)
      return invalidArgument("kiln_weights_open", "path is empty");
    auto opened = std::make_unique<kiln_weights>();
    if (Status error = Checkpoint::open(path, opened->checkpoint))
      return error;
    *weights = opened.release();
    return ok();
  });
}

void kiln_weights_close(kiln_weights *weights) { delete weights; }

size_t kiln_weights_num_tensors(const kiln_weights *weights) {
  return weights ? weights->checkpoint.getTensors().size() : 0;
}

kiln_status *kiln_weights_get_tensor(const kiln_weights *weights, size_t index,
                                     kiln_tensor_info *info) {
  return runGuarded([&] {
    if (!weights || !info)
      return invalidArgument("kiln_weights_get_tensor",
                             "weights and info must not be null");
    const std::vector<CheckpointTensor> &tensors =
        weights->checkpoint.getTensors();
    if (index >= tensors.size())
      return invalidArgument("kiln_weights_get_tensor",
                             "index " + std::to_string(index) +
                                 " is out of range, the checkpoint has " +
                                 std::to_string(tensors.size()) + " tensors");
    describeTensor(tensors[index], *info);
    return ok();
  });
}

kiln_status *kiln_weights_find_tensor(const kiln_weights *weights,
                                      const char *name,
                                      kiln_tensor_info *info) {
  return runGuarded([&] {
    if (!weights || !name || !info)
      return invalidArgument("kiln_weights_find_tensor",
                             "weights, name and info must not be null");
    const CheckpointTensor *tensor;
    if (Status error = weights->checkpoint.findModelTensor(name, tensor))
      return error;
    describeTensor(*tensor, *info);
    return ok();
  });
}

kiln_status *kiln_weights_read_tensor(const kiln_weights *weights,
                                      const char *name,
                                      const int64_t *expected_shape,
                                      size_t expected_rank, kiln_dtype dtype,
                                      void *buffer, size_t buffer_size) {
  constexpr const char *function = "kiln_weights_read_tensor";
  return runGuarded([&] {
    if (!weights || !name)
      return invalidArgument(function, "weights and name must not be null");
    if (expected_rank != 0 && !expected_shape)
      return invalidArgument(function, "expected_shape is null but "
                                       "expected_rank is " +
                                           std::to_string(expected_rank));
    if (!isValidDType(dtype))
      return invalidArgument(
          function, "unknown dtype " + std::to_string(getDTypeValue(dtype)));
    const CheckpointTensor *tensor;
    if (Status error = weights->checkpoint.findModelTensor(name, tensor))
      return error;

    const TensorEntry &entry = *tensor->entry;
    std::string where =
        "tensor " + quote(entry.name) + " in " + quote(tensor->file->path);
    std::vector<int64_t> expected(expected_shape,
                                  expected_shape + expected_rank);
    if (expected != entry.shape)
      return makeError(KILN_STATUS_SHAPE_MISMATCH,
                       where + ": expected shape " + formatShape(expected) +
                           ", got " + formatShape(entry.shape));
    if (!canConvert(entry.dtype, dtype))
      return makeError(KILN_STATUS_UNSUPPORTED,
                       where + ": cannot convert " +
                           kiln_dtype_name(entry.dtype) + " to " +
                           kiln_dtype_name(dtype));

    // Validation bounded the stored bytes by the file size, so the element
    // count is exact and the converted size cannot overflow on a 64-bit
    // host; check anyway for 32-bit ones.
    size_t count = (entry.end - entry.begin) / kiln_dtype_size(entry.dtype);
    size_t needed;
    if (__builtin_mul_overflow(count, kiln_dtype_size(dtype), &needed))
      return makeError(KILN_STATUS_UNSUPPORTED,
                       where + " is too large to convert to " +
                           kiln_dtype_name(dtype) + " on this host");
    if (buffer_size < needed || (!buffer && needed != 0))
      return invalidArgument(
          function, "the buffer for " + where + " holds " +
                        std::to_string(buffer ? buffer_size : 0) +
                        " bytes, expected at least " + std::to_string(needed) +
                        " for " + kiln_dtype_name(dtype) + " " +
                        formatShape(entry.shape));
    convertElements(tensor->file->getData(entry), entry.dtype,
                    static_cast<uint8_t *>(buffer), dtype, count);
    return ok();
  });
}
