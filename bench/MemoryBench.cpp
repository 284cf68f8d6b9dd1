//===- MemoryBench.cpp - Memory-bound kernels against a copy --------------===//
//
// Every tensor is 64 MiB or more, far beyond the caches, so each call
// streams its operands from memory and its results back. The yardstick is
// the runtime's own thread pool copying the same number of bytes with
// memcpy, in rounds that alternate with the kernel's so that a slow phase
// of a shared machine hurts both alike.
//
//===----------------------------------------------------------------------===//

#include "bench/MemoryBench.h"

#include "codegen/cpu/KernelRunner.h"
#include "runtime/src/ThreadPool.h"

#include <cstring>
#include <memory>

namespace kiln::bench {

namespace {

/// Rows and features of the activations: 64 MiB of f32.
constexpr int64_t kRows = 16384;
constexpr int64_t kWidth = 1024;
/// GPT-2's vocabulary, for the embedding table and the logits.
constexpr int64_t kVocab = 50257;
/// Positions of the logits whose softmax is taken: 64 MiB of f32.
constexpr int64_t kLogitRows = 320;
/// Heads of 64 features for RoPE over kRows positions: 64 MiB of f32.
constexpr int64_t kRopeHeads = 16;
constexpr int64_t kRopeHeadDim = 64;

/// One memory-bound kernel: an MLIR function of one kiln op, its operands,
/// its result shapes and the bytes one call moves.
struct MemoryBoundKernel {
  std::string name;
  std::string function;
  std::vector<ReferenceTensor> operands;
  std::vector<llvm::SmallVector<int64_t>> resultShapes;
  double bytes;
};

/// `tensor<dims x f32>` with `?` for a negative dimension.
std::string tensorType(llvm::ArrayRef<int64_t> dims,
                       llvm::StringRef element = "f32") {
  std::string type = "tensor<";
  for (int64_t dim : dims)
    type += (dim < 0 ? std::string("?") : std::to_string(dim)) + "x";
  return type + element.str() + ">";
}

/// Bytes of f32 tensors with `elements` elements in all.
double floatBytes(double elements) { return elements * sizeof(float); }

/// Token ids spread over the vocabulary, so that the gather reads rows all
/// over the table.
ReferenceTensor makeTokenIds(int64_t count) {
  std::vector<double> ids(count);
  for (int64_t i = 0; i < count; ++i)
    ids[i] = static_cast<double>((i * 7919 + 13) % kVocab);
  return ReferenceTensor({1, count}, std::move(ids));
}

/// The kernels: norms alone and fused with the residual add, the softmax
/// over logits, the embedding gather, learned positions and RoPE.
std::vector<MemoryBoundKernel> makeMemoryBoundKernels() {
  const std::string rows = tensorType({1, -1, kWidth});
  const std::string vector = tensorType({kWidth});
  const llvm::SmallVector<int64_t> shape = {1, kRows, kWidth};
  const double activation = floatBytes(kRows * kWidth);
  std::vector<MemoryBoundKernel> kernels;

  kernels.push_back({"kiln.layer_norm [16384x1024]",
                     "func.func @f(%x: " + rows + ", %g: " + vector +
                         ", %b: " + vector + ") -> " + rows +
                         " {\n  %y = kiln.layer_norm %x, %g, %b epsilon "
                         "1.0e-05 : (" +
                         rows + ", " + vector + ", " + vector + ") -> " + rows +
                         "\n  return %y : " + rows + "\n}",
                     {makeRandomTensor(shape, 1), makeRandomTensor({kWidth}, 2),
                      makeRandomTensor({kWidth}, 3)},
                     {shape},
                     2 * activation});
  kernels.push_back(
      {"kiln.rms_norm [16384x1024]",
       "func.func @f(%x: " + rows + ", %g: " + vector + ") -> " + rows +
           " {\n  %y = kiln.rms_norm %x, %g epsilon 1.0e-06 : (" + rows + ", " +
           vector + ") -> " + rows + "\n  return %y : " + rows + "\n}",
       {makeRandomTensor(shape, 1), makeRandomTensor({kWidth}, 2)},
       {shape},
       2 * activation});
  kernels.push_back(
      {"kiln.add_layer_norm [16384x1024]",
       "func.func @f(%x: " + rows + ", %r: " + rows + ", %g: " + vector +
           ", %b: " + vector + ") -> (" + rows + ", " + rows +
           ") {\n  %sum, %y = kiln.add_layer_norm %x, %r, %g, %b epsilon "
           "1.0e-05 : (" +
           rows + ", " + rows + ", " + vector + ", " + vector + ") -> (" +
           rows + ", " + rows + ")\n  return %sum, %y : " + rows + ", " + rows +
           "\n}",
       {makeRandomTensor(shape, 1), makeRandomTensor(shape, 2),
        makeRandomTensor({kWidth}, 3), makeRandomTensor({kWidth}, 4)},
       {shape, shape},
       4 * activation});

  const std::string logits = tensorType({1, -1, kVocab});
  kernels.push_back({"kiln.softmax [320x50257] (logits)",
                     "func.func @f(%x: " + logits + ") -> " + logits +
                         " {\n  %y = kiln.softmax %x axis 2 : " + logits +
                         "\n  return %y : " + logits + "\n}",
                     {makeRandomTensor({1, kLogitRows, kVocab}, 1)},
                     {{1, kLogitRows, kVocab}},
                     2 * floatBytes(kLogitRows * kVocab)});

  const std::string table = tensorType({kVocab, kWidth});
  const std::string ids = tensorType({1, -1}, "i64");
  kernels.push_back(
      {"kiln.embedding [16384 of 50257x1024]",
       "func.func @f(%t: " + table + ", %ids: " + ids + ") -> " + rows +
           " {\n  %y = kiln.embedding %t[%ids] : " + table + ", " + ids +
           " -> " + rows + "\n  return %y : " + rows + "\n}",
       {makeRandomTensor({kVocab, kWidth}, 1), makeTokenIds(kRows)},
       {shape},
       2 * activation + kRows * sizeof(int64_t)});

  const std::string positions = tensorType({kRows, kWidth});
  kernels.push_back(
      {"kiln.learned_positions [16384x1024]",
       "func.func @f(%x: " + rows + ", %p: " + positions + ") -> " + rows +
           " {\n  %y = kiln.learned_positions %x, %p : " + rows + ", " +
           positions + "\n  return %y : " + rows + "\n}",
       {makeRandomTensor(shape, 1), makeRandomTensor({kRows, kWidth}, 2)},
       {shape},
       3 * activation});

  const std::string heads = tensorType({1, kRopeHeads, -1, kRopeHeadDim});
  const llvm::SmallVector<int64_t> headsShape = {1, kRopeHeads, kRows,
                                                 kRopeHeadDim};
  kernels.push_back({"kiln.rope [16x16384x64]",
                     "func.func @f(%x: " + heads + ") -> " + heads +
                         " {\n  %y = kiln.rope %x theta 10000.0 style half : " +
                         heads + "\n  return %y : " + heads + "\n}",
                     {makeRandomTensor(headsShape, 1)},
                     {headsShape},
                     2 * floatBytes(kRopeHeads * kRows * kRopeHeadDim)});
  return kernels;
}

/// A parallel memcpy of `bytes` bytes in chunks, on a pool of its own.
class ParallelCopy {
public:
  static llvm::Expected<std::unique_ptr<ParallelCopy>> create(int threads,
                                                              size_t bytes) {
    std::unique_ptr<runtime::ThreadPool> pool;
    if (runtime::Status status =
            runtime::ThreadPool::create(threads, /*pin=*/true, pool))
      return llvm::createStringError(status->message);
    return std::unique_ptr<ParallelCopy>(
        new ParallelCopy(std::move(pool), bytes));
  }

  /// Copies the source into the destination once.
  void copy() {
    pool->parallelFor(
        [](void *context, int32_t chunk, uint8_t *) -> int32_t {
          auto *self = static_cast<ParallelCopy *>(context);
          size_t offset = static_cast<size_t>(chunk) * self->chunkBytes;
          std::memcpy(self->destination.get() + offset,
                      self->source.get() + offset, self->chunkBytes);
          return 0;
        },
        this, 0, kChunks, nullptr);
  }

private:
  /// Chunks per copy: many more than threads, so that they balance.
  static constexpr int32_t kChunks = 256;

  ParallelCopy(std::unique_ptr<runtime::ThreadPool> pool, size_t bytes)
      : pool(std::move(pool)), chunkBytes(bytes / kChunks),
        source(new char[chunkBytes * kChunks]),
        destination(new char[chunkBytes * kChunks]) {
    // Touch every page once, so that the timed copies do not fault.
    std::memset(source.get(), 1, chunkBytes * kChunks);
    std::memset(destination.get(), 0, chunkBytes * kChunks);
  }

  std::unique_ptr<runtime::ThreadPool> pool;
  size_t chunkBytes;
  std::unique_ptr<char[]> source;
  std::unique_ptr<char[]> destination;
};

} // namespace

llvm::Expected<std::vector<MemoryMeasurement>>
measureMemoryBoundKernels(int threads, const TimingOptions &timing) {
  std::vector<MemoryMeasurement> measurements;
  for (MemoryBoundKernel &kernel : makeMemoryBoundKernels()) {
    llvm::Expected<std::unique_ptr<KernelRunner>> runner =
        createDefaultRunner(kernel.function, threads);
    if (!runner)
      return runner.takeError();
    if (llvm::Error error =
            (*runner)->bind(kernel.operands, kernel.resultShapes))
      return std::move(error);
    // The copy reads half of the kernel's bytes and writes the other half.
    llvm::Expected<std::unique_ptr<ParallelCopy>> copy =
        ParallelCopy::create(threads, static_cast<size_t>(kernel.bytes / 2));
    if (!copy)
      return copy.takeError();
    std::vector<double> kilnSeconds, copySeconds;
    if (llvm::Error error = timeInAlternation(
            **runner,
            [&](unsigned warmup, unsigned repetitions) {
              return timeCalls([&] { (*copy)->copy(); }, warmup, repetitions);
            },
            timing, kilnSeconds, copySeconds))
      return std::move(error);
    measurements.push_back({kernel.name, threads, kernel.bytes,
                            median(kilnSeconds), median(copySeconds)});
  }
  return measurements;
}

} // namespace kiln::bench
