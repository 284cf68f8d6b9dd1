//===- AttentionBench.cpp - kiln.attention kernels ------------------------===//
//
// The kernel is specialised for the head count and size, and reads the
// sequence length from its buffers, as in compiled models.
//
//===----------------------------------------------------------------------===//

#include "bench/AttentionBench.h"

#include "codegen/cpu/KernelRunner.h"

#include <cmath>
#include <string>

namespace kiln::bench {

double AttentionShape::getFlops() const {
  return 4.0 * static_cast<double>(seq) * seq * headDim * heads;
}

namespace {

/// The MLIR function of `shape`'s attention, scaled by 1/sqrt(headDim).
std::string makeAttentionFunction(const AttentionShape &shape) {
  std::string t = "tensor<1x" + std::to_string(shape.heads) + "x?x" +
                  std::to_string(shape.headDim) + "xf32>";
  std::string scale =
      std::to_string(1.0 / std::sqrt(static_cast<double>(shape.headDim)));
  std::string mask = shape.causal ? " mask causal" : "";
  return "func.func @attention(%q: " + t + ", %k: " + t + ", %v: " + t +
         ") -> " + t + " {\n  %o = kiln.attention %q, %k, %v scale " + scale +
         mask + " : (" + t + ", " + t + ", " + t + ") -> " + t +
         "\n  return %o : " + t + "\n}";
}

} // namespace

llvm::Expected<std::vector<AttentionMeasurement>>
measureAttention(llvm::ArrayRef<AttentionShape> shapes, int threads,
                 const TimingOptions &timing) {
  std::vector<std::unique_ptr<KernelRunner>> runners;
  for (const AttentionShape &shape : shapes) {
    llvm::Expected<std::unique_ptr<KernelRunner>> runner =
        createDefaultRunner(makeAttentionFunction(shape), threads);
    if (!runner)
      return runner.takeError();
    llvm::SmallVector<int64_t> operandShape = {1, shape.heads, shape.seq,
                                               shape.headDim};
    if (llvm::Error error =
            (*runner)->bind({makeRandomTensor(operandShape, 1),
                             makeRandomTensor(operandShape, 2),
                             makeRandomTensor(operandShape, 3)},
                            {operandShape}))
      return std::move(error);
    runners.push_back(std::move(*runner));
  }
  std::vector<std::vector<double>> seconds(shapes.size());
  for (unsigned round = 0; round < timing.rounds; ++round)
    for (auto [runner, samples] : llvm::zip_equal(runners, seconds)) {
      llvm::Expected<std::vector<double>> times =
          runner->time(timing.warmup, timing.repetitions);
      if (!times)
        return times.takeError();
      llvm::append_range(samples, *times);
    }
  std::vector<AttentionMeasurement> measurements;
  for (auto [shape, samples] : llvm::zip_equal(shapes, seconds))
    measurements.push_back({shape, threads, median(samples)});
  return measurements;
}

} // namespace kiln::bench
