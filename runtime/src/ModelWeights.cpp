//===- ModelWeights.cpp - The weights a compiled model reads --------------===//
//
// Checkpoint tensors are read through the C API of kiln/weights.h, which
// checks their shapes and converts their dtypes; the checkpoint is closed
// again once every weight has been copied out of it. Random weights come
// from SplitMix64, a small generator whose output is the same on every
// platform, so a seed names the same model everywhere.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/ModelWeights.h"

#include "kiln/weights.h"
#include "runtime/src/Convert.h"
#include "runtime/src/Descriptor.h"
#include "runtime/src/WeightPacking.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>
#include <string_view>

using namespace kiln::runtime;

namespace {
/// Closes a checkpoint opened through the C API.
struct CheckpointCloser {
  void operator()(kiln_weights *weights) const { kiln_weights_close(weights); }
};

/// The SplitMix64 generator (Steele, Lea and Flood, 2014).
class SplitMix64 {
public:
  explicit SplitMix64(uint64_t seed) : state(seed) {}

  uint64_t next() {
    uint64_t z = (state += 0x9e3779b97f4a7c15);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
    z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
    return z ^ (z >> 31);
  }

  /// A float uniformly distributed over [0, 1), from the top 24 bits.
  float nextUnit() { return static_cast<float>(next() >> 40) * 0x1p-24f; }

private:
  uint64_t state;
};
} // namespace

/// The 64-bit FNV-1a hash of `text`, which gives each weight its own
/// random stream.
static uint64_t hashName(std::string_view text) {
  uint64_t hash = 0xcbf29ce484222325;
  for (unsigned char byte : text)
    hash = (hash ^ byte) * 0x100000001b3;
  return hash;
}

/// Copies the [rows, columns] matrix of `Element`s at `source` transposed
/// into `destination`, tile by tile to stay in cache.
template <typename Element>
static void transposeElements(const uint8_t *source, uint8_t *destination,
                              size_t rows, size_t columns) {
  constexpr size_t tile = 32;
  for (size_t r0 = 0; r0 < rows; r0 += tile)
    for (size_t c0 = 0; c0 < columns; c0 += tile)
      for (size_t r = r0; r < std::min(rows, r0 + tile); ++r)
        for (size_t c = c0; c < std::min(columns, c0 + tile); ++c)
          std::memcpy(destination + (c * rows + r) * sizeof(Element),
                      source + (r * columns + c) * sizeof(Element),
                      sizeof(Element));
}

/// Transposes the [rows, columns] matrix of `elementSize`-byte elements at
/// `source` into `destination`.
static void transpose(const uint8_t *source, uint8_t *destination, size_t rows,
                      size_t columns, size_t elementSize) {
  switch (elementSize) {
  case 1:
    return transposeElements<uint8_t>(source, destination, rows, columns);
  case 2:
    return transposeElements<uint16_t>(source, destination, rows, columns);
  case 4:
    return transposeElements<uint32_t>(source, destination, rows, columns);
  default:
    return transposeElements<uint64_t>(source, destination, rows, columns);
  }
}

Status ModelWeights::allocate(const kiln_model_desc &desc) {
  buffers.clear();
  buffers.resize(desc.num_weights);
  pointers.assign(desc.num_weights, nullptr);
  for (int32_t i = 0; i < desc.num_weights; ++i) {
    const kiln_tensor_desc &weight = desc.weights[i];
    std::string what = "weight " + quote(weight.name);
    std::optional<size_t> bytes =
        getByteSize(resolveDims(weight, {}), weight.dtype);
    if (!bytes)
      return makeError(KILN_STATUS_OUT_OF_MEMORY,
                       what + " is too large for this host");
    if (Status error = buffers[i].reserve(*bytes, what))
      return error;
    pointers[i] = buffers[i].data();
  }
  return ok();
}

/// Reads weight `weight` from `checkpoint` into `buffer`, which holds it,
/// transposing it when the checkpoint stores it transposed.
static Status readWeight(const kiln_weights *checkpoint,
                         const kiln_tensor_desc &weight, void *buffer) {
  std::vector<int64_t> shape(weight.dims, weight.dims + weight.rank);
  size_t bytes = *getByteSize(shape, weight.dtype);
  if (!(weight.flags & KILN_TENSOR_TRANSPOSED_IN_CHECKPOINT))
    return Status(kiln_weights_read_tensor(checkpoint, weight.name,
                                           shape.data(), shape.size(),
                                           weight.dtype, buffer, bytes));
  std::vector<int64_t> storedShape = {shape[1], shape[0]};
  std::vector<uint8_t> stored(bytes);
  if (Status error = Status(kiln_weights_read_tensor(
          checkpoint, weight.name, storedShape.data(), storedShape.size(),
          weight.dtype, stored.data(), bytes)))
    return addContext(std::move(error),
                      "weight " + quote(weight.name) + " is stored transposed");
  transpose(stored.data(), static_cast<uint8_t *>(buffer), storedShape[0],
            storedShape[1], kiln_dtype_size(weight.dtype));
  return ok();
}

Status ModelWeights::load(const kiln_model_desc &desc,
                          const std::string &path) {
  std::string context = "cannot load the weights of model " + quote(desc.name);
  kiln_weights *opened = nullptr;
  if (Status error = Status(kiln_weights_open(path.c_str(), &opened)))
    return addContext(std::move(error), context);
  std::unique_ptr<kiln_weights, CheckpointCloser> checkpoint(opened);
  if (Status error = allocate(desc))
    return addContext(std::move(error), context);
  for (int32_t i = 0; i < desc.num_weights; ++i)
    if (Status error =
            readWeight(checkpoint.get(), desc.weights[i], buffers[i].data()))
      return addContext(std::move(error), context);
  if (Status error = pack(desc))
    return addContext(std::move(error), context);
  return ok();
}

Status ModelWeights::randomize(const kiln_model_desc &desc, uint64_t seed) {
  if (Status error = allocate(desc))
    return error;
  constexpr size_t chunkElements = 4096;
  std::vector<float> chunk(chunkElements);
  for (int32_t i = 0; i < desc.num_weights; ++i) {
    const kiln_tensor_desc &weight = desc.weights[i];
    if (!canConvert(KILN_DTYPE_F32, weight.dtype))
      return makeError(KILN_STATUS_UNSUPPORTED,
                       "cannot make random weights for model " +
                           quote(desc.name) + ": weight " + quote(weight.name) +
                           " has dtype " + kiln_dtype_name(weight.dtype) +
                           ", not a floating-point type");
    int64_t fanIn = weight.rank == 0 ? 1 : weight.dims[weight.rank - 1];
    float bound =
        1.0f / std::sqrt(static_cast<float>(std::max<int64_t>(fanIn, 1)));
    size_t count = *getByteSize(resolveDims(weight, {}), weight.dtype) /
                   kiln_dtype_size(weight.dtype);
    size_t elementSize = kiln_dtype_size(weight.dtype);
    auto *destination = static_cast<uint8_t *>(buffers[i].data());
    SplitMix64 generator(seed ^ hashName(weight.name));
    for (size_t done = 0; done < count; done += chunkElements) {
      size_t n = std::min(chunkElements, count - done);
      for (size_t j = 0; j < n; ++j)
        chunk[j] = (2.0f * generator.nextUnit() - 1.0f) * bound;
      convertElements(reinterpret_cast<const uint8_t *>(chunk.data()),
                      KILN_DTYPE_F32, destination + done * elementSize,
                      weight.dtype, n);
    }
  }
  return pack(desc);
}

Status ModelWeights::pack(const kiln_model_desc &desc) {
  packedBuffers.clear();
  packedBuffers.resize(desc.num_packed_weights);
  packedPointers.assign(desc.num_packed_weights, nullptr);
  for (int32_t i = 0; i < desc.num_packed_weights; ++i) {
    const kiln_packed_weight_desc &packed = desc.packed_weights[i];
    const kiln_tensor_desc &weight = desc.weights[packed.weight];
    int64_t rows = weight.dims[0], cols = weight.dims[1];
    auto format = static_cast<kiln_packed_format>(packed.format);
    if (Status error = packedBuffers[i].reserve(
            static_cast<size_t>(
                getPackedWeightBytes(rows, cols, packed.panel_width, format)),
            "packed copy of weight " + quote(weight.name)))
      return error;
    packWeight(static_cast<const float *>(pointers[packed.weight]), rows, cols,
               packed.panel_width, format, packedBuffers[i].data());
    packedPointers[i] = packedBuffers[i].data();
  }
  for (int32_t i = 0; i < desc.num_weights; ++i) {
    if (!(desc.weights[i].flags & KILN_TENSOR_READ_ONLY_PACKED))
      continue;
    buffers[i] = AlignedBuffer();
    pointers[i] = nullptr;
  }
  return ok();
}
