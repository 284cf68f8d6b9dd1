//===- ModelInputs.cpp - A model's inputs and the sizes they set ----------===//
//
// Messages name the input, and the dimension, size or token at fault, in
// the words of the model ("sequence length 2000 exceeds the model's maximum
// 1024"), since they reach people running a model with the wrong data.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/ModelInputs.h"

#include "runtime/src/DType.h"
#include "runtime/src/Descriptor.h"

#include <cstring>
#include <optional>
#include <type_traits>

using namespace kiln::runtime;

ModelInputs::ModelInputs(const kiln_model_desc &desc)
    : desc(desc), isSet(desc.num_inputs, false), shapes(desc.num_inputs),
      buffers(desc.num_inputs), pointers(desc.num_inputs, nullptr),
      sizes(desc.num_sizes, unknownSize) {}

int32_t ModelInputs::find(std::string_view name) const {
  for (int32_t i = 0; i < desc.num_inputs; ++i)
    if (name == desc.inputs[i].name)
      return i;
  return -1;
}

std::vector<ModelInputs::SizeBinding>
ModelInputs::bindSizes(int32_t except) const {
  std::vector<SizeBinding> bindings(desc.num_sizes,
                                    SizeBinding{unknownSize, -1, -1});
  for (int32_t i = 0; i < desc.num_inputs; ++i) {
    if (!isSet[i] || i == except)
      continue;
    const kiln_tensor_desc &input = desc.inputs[i];
    for (int32_t d = 0; d < input.rank; ++d)
      if (std::optional<int32_t> symbol = getDimSymbol(input.dims[d]))
        if (bindings[*symbol].input < 0)
          bindings[*symbol] = {shapes[i][d], i, d};
  }
  return bindings;
}

void ModelInputs::updateSizes() {
  std::vector<SizeBinding> bindings = bindSizes(/*except=*/-1);
  for (int32_t k = 0; k < desc.num_sizes; ++k)
    sizes[k] = bindings[k].value;
}

Status ModelInputs::checkShape(int32_t index,
                               const std::vector<int64_t> &dims) const {
  const kiln_tensor_desc &input = desc.inputs[index];
  std::string what = "input " + quote(input.name);
  std::string expected = formatSymbolicDims(desc, input);
  if (dims.size() != static_cast<size_t>(input.rank))
    return makeError(KILN_STATUS_SHAPE_MISMATCH,
                     what + " has rank " + std::to_string(input.rank) + " " +
                         expected + ", got shape " + formatShape(dims));
  std::vector<SizeBinding> bindings = bindSizes(index);
  for (int32_t d = 0; d < input.rank; ++d) {
    std::optional<int32_t> symbol = getDimSymbol(input.dims[d]);
    if (!symbol) {
      if (dims[d] != input.dims[d])
        return makeError(KILN_STATUS_SHAPE_MISMATCH,
                         what + " has shape " + expected + ", got " +
                             formatShape(dims) + ": dimension " +
                             std::to_string(d) + " must be " +
                             std::to_string(input.dims[d]));
      continue;
    }
    const kiln_size_symbol &size = desc.sizes[*symbol];
    std::string described = describeSize(size, dims[d]);
    if (dims[d] < 1)
      return makeError(KILN_STATUS_SHAPE_MISMATCH,
                       what + ": " + described + " must be at least 1");
    if (dims[d] > size.max)
      return makeError(KILN_STATUS_SHAPE_MISMATCH,
                       what + ": " + described +
                           " exceeds the model's maximum " +
                           std::to_string(size.max));
    SizeBinding &binding = bindings[*symbol];
    if (binding.input >= 0 && binding.value != dims[d]) {
      std::string source =
          binding.input == index
              ? "its dimension " + std::to_string(binding.dim)
              : "input " + quote(desc.inputs[binding.input].name);
      return makeError(KILN_STATUS_SHAPE_MISMATCH,
                       what + ": " + described + " disagrees with " +
                           std::to_string(binding.value) + " given by " +
                           source);
    }
    binding = {dims[d], index, d};
  }
  return ok();
}

/// The index of the first of the `count` `T` elements at `data` outside
/// [0, bound), and that element spelled out.
template <typename T>
static std::optional<std::pair<size_t, std::string>>
findIdOutOfRange(const uint8_t *data, size_t count, int64_t bound) {
  for (size_t i = 0; i < count; ++i) {
    T value;
    std::memcpy(&value, data + i * sizeof(T), sizeof(T));
    bool isNegative = false;
    if constexpr (std::is_signed_v<T>)
      isNegative = value < 0;
    if (isNegative || static_cast<uint64_t>(value) >= uint64_t(bound))
      return std::make_pair(i, std::to_string(value));
  }
  return std::nullopt;
}

/// Dispatches findIdOutOfRange on the integer type `dtype`.
static std::optional<std::pair<size_t, std::string>>
findIdOutOfRange(const uint8_t *data, kiln_dtype dtype, size_t count,
                 int64_t bound) {
  switch (dtype) {
  case KILN_DTYPE_U8:
    return findIdOutOfRange<uint8_t>(data, count, bound);
  case KILN_DTYPE_I8:
    return findIdOutOfRange<int8_t>(data, count, bound);
  case KILN_DTYPE_U16:
    return findIdOutOfRange<uint16_t>(data, count, bound);
  case KILN_DTYPE_I16:
    return findIdOutOfRange<int16_t>(data, count, bound);
  case KILN_DTYPE_U32:
    return findIdOutOfRange<uint32_t>(data, count, bound);
  case KILN_DTYPE_I32:
    return findIdOutOfRange<int32_t>(data, count, bound);
  case KILN_DTYPE_U64:
    return findIdOutOfRange<uint64_t>(data, count, bound);
  default:
    return findIdOutOfRange<int64_t>(data, count, bound);
  }
}

/// The multi-dimensional position of row-major element `flat` of `dims`.
static std::vector<int64_t> unflatten(size_t flat,
                                      const std::vector<int64_t> &dims) {
  std::vector<int64_t> position(dims.size());
  for (size_t d = dims.size(); d-- > 0;) {
    position[d] = static_cast<int64_t>(flat % dims[d]);
    flat /= dims[d];
  }
  return position;
}

Status ModelInputs::set(int32_t index, const void *data, kiln_dtype dtype,
                        int32_t rank, const int64_t *dims) {
  const kiln_tensor_desc &input = desc.inputs[index];
  std::string what = "input " + quote(input.name);
  if (!isValidDType(dtype))
    return makeError(KILN_STATUS_INVALID_ARGUMENT,
                     what + ": unknown dtype " +
                         std::to_string(getDTypeValue(dtype)));
  if (dtype != input.dtype)
    return makeError(KILN_STATUS_INVALID_ARGUMENT,
                     what + " has dtype " + kiln_dtype_name(input.dtype) +
                         ", got " + kiln_dtype_name(dtype));
  if (rank < 0 || (rank > 0 && !dims))
    return makeError(KILN_STATUS_INVALID_ARGUMENT,
                     what + ": rank " + std::to_string(rank) +
                         " needs as many dimensions");
  std::vector<int64_t> shape(dims, dims + rank);
  if (Status error = checkShape(index, shape))
    return error;
  std::optional<size_t> bytes = getByteSize(shape, dtype);
  if (!bytes)
    return makeError(KILN_STATUS_SHAPE_MISMATCH,
                     what + " of shape " + formatShape(shape) +
                         " is too large for this host");
  if (!data && *bytes != 0)
    return makeError(KILN_STATUS_INVALID_ARGUMENT, what + ": data is null");
  const auto *bytesIn = static_cast<const uint8_t *>(data);
  if (input.id_bound > 0) {
    size_t count = *bytes / kiln_dtype_size(dtype);
    if (auto bad = findIdOutOfRange(bytesIn, dtype, count, input.id_bound))
      return makeError(KILN_STATUS_INVALID_ARGUMENT,
                       what + ": token id " + bad->second + " at position " +
                           formatShape(unflatten(bad->first, shape)) +
                           " is out of range [0, " +
                           std::to_string(input.id_bound) + ")");
  }
  if (Status error = buffers[index].reserve(*bytes, what))
    return error;
  if (*bytes != 0)
    std::memcpy(buffers[index].data(), data, *bytes);
  pointers[index] = buffers[index].data();
  shapes[index] = std::move(shape);
  isSet[index] = true;
  updateSizes();
  return ok();
}

void ModelInputs::clear() {
  isSet.assign(desc.num_inputs, false);
  updateSizes();
}

Status ModelInputs::checkComplete() const {
  for (int32_t i = 0; i < desc.num_inputs; ++i)
    if (!isSet[i])
      return makeError(KILN_STATUS_FAILED_PRECONDITION,
                       "input " + quote(desc.inputs[i].name) + " of model " +
                           quote(desc.name) + " is not set");
  return ok();
}
