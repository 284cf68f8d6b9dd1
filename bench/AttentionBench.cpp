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

llvm::Expected<AttentionMeasurement>
measureAttention(const AttentionShape &shape, int threads,
                 const TimingOptions &timing) {
  llvm::Expected<std::unique_ptr<KernelRunner>> runner =
      createDefaultRunner(makeAttentionFunction(shape), threads);
  if (!runner)
    return runner.takeError();
  llvm::SmallVector<int64_t> operandShape = {1, shape.heads, shape.seq,
                                             shape.headDim};
  if (llvm::Error error = (*runner)->bind({makeRandomTensor(operandShape, 1),
                                           makeRandomTensor(operandShape, 2),
                                           makeRandomTensor(operandShape, 3)},
                                          {operandShape}))
    return std::move(error);
  llvm::Expected<std::vector<double>> seconds =
      (*runner)->time(timing.warmup, timing.repetitions * timing.rounds);
  if (!seconds)
    return seconds.takeError();
  return AttentionMeasurement{shape, threads, median(*seconds)};
}

} // namespace kiln::bench
