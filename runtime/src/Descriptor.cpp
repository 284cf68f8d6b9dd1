//===- Descriptor.cpp - Reading a compiled model's descriptor -------------===//
//
// Validation reports the first problem it finds, naming the model and the
// entry at fault; such an error means the generated code and the runtime
// disagree, so it is reported rather than worked around.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Descriptor.h"

#include "runtime/src/DType.h"

#include <set>
#include <string_view>

using namespace kiln::runtime;

namespace {
/// Which list of a descriptor a tensor belongs to; the rules differ.
enum class TensorRole { Input, Weight, Output };
} // namespace

/// The role of a tensor in messages.
static const char *getRoleName(TensorRole role) {
  switch (role) {
  case TensorRole::Input:
    return "input";
  case TensorRole::Weight:
    return "weight";
  case TensorRole::Output:
    return "output";
  }
  return "tensor";
}

/// An error about a malformed descriptor of `desc`.
static Status invalidDescriptor(const kiln_model_desc &desc,
                                const std::string &what) {
  return makeError(KILN_STATUS_INVALID_ARGUMENT,
                   "invalid descriptor of model " + quote(desc.name) + ": " +
                       what);
}

/// Checks that the list of `count` `what` of `desc` at `array` is there.
static Status checkArray(const kiln_model_desc &desc, int32_t count,
                         const void *array, const std::string &what) {
  if (count < 0)
    return invalidDescriptor(desc,
                             "it has " + std::to_string(count) + " " + what);
  if (count > 0 && !array)
    return invalidDescriptor(desc, "it has " + std::to_string(count) + " " +
                                       what + " but no array of them");
  return ok();
}

/// Checks entry `index` of the `role` list of `desc`.
static Status checkTensor(const kiln_model_desc &desc,
                          const kiln_tensor_desc &tensor, TensorRole role,
                          int32_t index) {
  std::string what = getRoleName(role);
  if (!tensor.name)
    return invalidDescriptor(desc, what + " " + std::to_string(index) +
                                       " has no name");
  what += " " + quote(tensor.name);
  if (!isValidDType(tensor.dtype))
    return invalidDescriptor(desc,
                             what + " has unknown dtype " +
                                 std::to_string(getDTypeValue(tensor.dtype)));
  if (tensor.rank < 0 || (tensor.rank > 0 && !tensor.dims))
    return invalidDescriptor(desc, what + " has rank " +
                                       std::to_string(tensor.rank) +
                                       " but no dimensions");
  for (int32_t i = 0; i < tensor.rank; ++i) {
    std::optional<int32_t> symbol = getDimSymbol(tensor.dims[i]);
    if (!symbol)
      continue;
    if (role == TensorRole::Weight)
      return invalidDescriptor(desc, what + " has a symbolic dimension " +
                                         std::to_string(i) +
                                         ", but weights are static");
    if (*symbol >= desc.num_sizes)
      return invalidDescriptor(
          desc, "dimension " + std::to_string(i) + " of " + what +
                    " stands for size symbol " + std::to_string(*symbol) +
                    ", but the model has " + std::to_string(desc.num_sizes));
  }
  if (tensor.id_bound < 0 ||
      (tensor.id_bound > 0 &&
       (role != TensorRole::Input || !isIntegerDType(tensor.dtype))))
    return invalidDescriptor(desc, what + " has id bound " +
                                       std::to_string(tensor.id_bound) +
                                       ", expected 0 unless it is an "
                                       "integer input");
  if (tensor.flags &
      ~(KILN_TENSOR_TRANSPOSED_IN_CHECKPOINT | KILN_TENSOR_READ_ONLY_PACKED))
    return invalidDescriptor(desc, what + " has unknown flags " +
                                       std::to_string(tensor.flags));
  if ((tensor.flags & KILN_TENSOR_READ_ONLY_PACKED) &&
      role != TensorRole::Weight)
    return invalidDescriptor(desc, what + " is marked read only packed, but "
                                          "only weights can be");
  if ((tensor.flags & KILN_TENSOR_TRANSPOSED_IN_CHECKPOINT) &&
      (role != TensorRole::Weight || tensor.rank != 2))
    return invalidDescriptor(desc, what + " is marked transposed, but only "
                                          "rank-2 weights can be");
  return ok();
}

/// Checks the `count` tensors at `tensors`, the `role` list of `desc`.
static Status checkTensorList(const kiln_model_desc &desc, int32_t count,
                              const kiln_tensor_desc *tensors,
                              TensorRole role) {
  std::string list = std::string(getRoleName(role)) + "s";
  if (Status error = checkArray(desc, count, tensors, list))
    return error;
  std::set<std::string_view> names;
  for (int32_t i = 0; i < count; ++i) {
    if (Status error = checkTensor(desc, tensors[i], role, i))
      return error;
    if (!names.insert(tensors[i].name).second)
      return invalidDescriptor(desc, "two " + list + " are called " +
                                         quote(tensors[i].name));
  }
  return ok();
}

/// Checks that every packed weight of `desc` names a rank-2 f32 weight, a
/// positive panel width and a known format, and that a weight read only
/// packed has a packed copy.
static Status checkPackedWeights(const kiln_model_desc &desc) {
  if (Status error = checkArray(desc, desc.num_packed_weights,
                                desc.packed_weights, "packed weights"))
    return error;
  std::vector<bool> isPacked(desc.num_weights, false);
  for (int32_t i = 0; i < desc.num_packed_weights; ++i) {
    const kiln_packed_weight_desc &packed = desc.packed_weights[i];
    std::string what = "packed weight " + std::to_string(i);
    if (packed.weight < 0 || packed.weight >= desc.num_weights)
      return invalidDescriptor(desc, what + " copies weight " +
                                         std::to_string(packed.weight) +
                                         ", but the model has " +
                                         std::to_string(desc.num_weights));
    const kiln_tensor_desc &weight = desc.weights[packed.weight];
    if (weight.rank != 2 || weight.dtype != KILN_DTYPE_F32)
      return invalidDescriptor(desc, what + " copies weight " +
                                         quote(weight.name) +
                                         ", which is not a rank-2 f32 matrix");
    if (packed.panel_width < 1)
      return invalidDescriptor(desc, what + " has panel width " +
                                         std::to_string(packed.panel_width) +
                                         ", expected at least 1");
    if (packed.format != KILN_PACKED_F32_PANELS &&
        packed.format != KILN_PACKED_BF16X3_TILES)
      return invalidDescriptor(desc, what + " has format " +
                                         std::to_string(packed.format) +
                                         ", expected 0 (f32 panels) or 1 "
                                         "(bf16x3 tiles)");
    if (packed.format == KILN_PACKED_BF16X3_TILES &&
        packed.panel_width % 32 != 0)
      return invalidDescriptor(desc, what +
                                         " has bf16x3 tiles of panel "
                                         "width " +
                                         std::to_string(packed.panel_width) +
                                         ", expected a multiple of 32");
    isPacked[packed.weight] = true;
  }
  for (int32_t i = 0; i < desc.num_weights; ++i)
    if ((desc.weights[i].flags & KILN_TENSOR_READ_ONLY_PACKED) && !isPacked[i])
      return invalidDescriptor(desc, "weight " + quote(desc.weights[i].name) +
                                         " is read only packed but has no "
                                         "packed copy");
  return ok();
}

/// Checks that every size symbol of `desc` appears in some input, so that
/// setting the inputs determines all sizes.
static Status checkSizesAreSetByInputs(const kiln_model_desc &desc) {
  std::vector<bool> isSet(desc.num_sizes, false);
  for (int32_t i = 0; i < desc.num_inputs; ++i) {
    const kiln_tensor_desc &input = desc.inputs[i];
    for (int32_t d = 0; d < input.rank; ++d)
      if (std::optional<int32_t> symbol = getDimSymbol(input.dims[d]))
        isSet[*symbol] = true;
  }
  for (int32_t k = 0; k < desc.num_sizes; ++k)
    if (!isSet[k])
      return invalidDescriptor(desc, "size symbol " +
                                         quote(desc.sizes[k].name) +
                                         " appears in no input");
  return ok();
}

Status kiln::runtime::validateDescriptor(const kiln_model_desc &desc) {
  if (desc.abi_version != KILN_MODEL_ABI_VERSION)
    return makeError(KILN_STATUS_UNSUPPORTED,
                     "model " + quote(desc.name ? desc.name : "") +
                         " was compiled for model ABI version " +
                         std::to_string(desc.abi_version) +
                         ", but this runtime implements version " +
                         std::to_string(KILN_MODEL_ABI_VERSION));
  if (!desc.name || !desc.output_kind || !desc.forward)
    return makeError(KILN_STATUS_INVALID_ARGUMENT,
                     "invalid model descriptor: its name, output kind and "
                     "forward function must not be null");
  if (Status error =
          checkArray(desc, desc.num_sizes, desc.sizes, "size symbols"))
    return error;
  for (int32_t k = 0; k < desc.num_sizes; ++k) {
    const kiln_size_symbol &symbol = desc.sizes[k];
    if (!symbol.name || symbol.max < 1)
      return invalidDescriptor(desc, "size symbol " + std::to_string(k) +
                                         " needs a name and a maximum of at "
                                         "least 1");
  }
  if (Status error = checkTensorList(desc, desc.num_inputs, desc.inputs,
                                     TensorRole::Input))
    return error;
  if (Status error = checkTensorList(desc, desc.num_weights, desc.weights,
                                     TensorRole::Weight))
    return error;
  if (Status error = checkPackedWeights(desc))
    return error;
  if (Status error = checkTensorList(desc, desc.num_outputs, desc.outputs,
                                     TensorRole::Output))
    return error;
  if (Status error = checkSizesAreSetByInputs(desc))
    return error;
  if (desc.arena_bytes < 0)
    return invalidDescriptor(
        desc, "its arena has " + std::to_string(desc.arena_bytes) + " bytes");
  if (Status error = checkArray(desc, desc.num_kernel_calls,
                                desc.kernel_call_names, "kernel calls"))
    return error;
  for (int32_t c = 0; c < desc.num_kernel_calls; ++c)
    if (!desc.kernel_call_names[c])
      return invalidDescriptor(desc, "kernel call " + std::to_string(c) +
                                         " has no name");
  return ok();
}

std::vector<int64_t>
kiln::runtime::resolveDims(const kiln_tensor_desc &tensor,
                           const std::vector<int64_t> &sizes) {
  std::vector<int64_t> dims(tensor.dims, tensor.dims + tensor.rank);
  for (int64_t &dim : dims)
    if (std::optional<int32_t> symbol = getDimSymbol(dim))
      dim = sizes[*symbol];
  return dims;
}

std::optional<size_t>
kiln::runtime::getByteSize(const std::vector<int64_t> &dims, kiln_dtype dtype) {
  size_t bytes = kiln_dtype_size(dtype);
  for (int64_t dim : dims)
    if (dim < 0 ||
        __builtin_mul_overflow(bytes, static_cast<uint64_t>(dim), &bytes))
      return std::nullopt;
  return bytes;
}

std::string kiln::runtime::describeSize(const kiln_size_symbol &symbol,
                                        int64_t value) {
  static const std::pair<std::string_view, const char *> usualNames[] = {
      {"batch", "batch size"},
      {"seq", "sequence length"},
      {"encoder_seq", "encoder sequence length"},
      {"decoder_seq", "decoder sequence length"},
  };
  for (const auto &[name, description] : usualNames)
    if (symbol.name == name)
      return description + (" " + std::to_string(value));
  return "size " + quote(symbol.name) + " = " + std::to_string(value);
}

std::string kiln::runtime::formatSymbolicDims(const kiln_model_desc &desc,
                                              const kiln_tensor_desc &tensor) {
  std::string text = "[";
  for (int32_t i = 0; i < tensor.rank; ++i) {
    if (i != 0)
      text += ", ";
    std::optional<int32_t> symbol = getDimSymbol(tensor.dims[i]);
    text += symbol ? desc.sizes[*symbol].name : std::to_string(tensor.dims[i]);
  }
  return text + "]";
}
