//===- MemoryBench.h - Memory-bound kernels against a copy ------*- C++ -*-===//
//
// Times the kernels whose speed is set by memory traffic, not arithmetic:
// norms, the softmax over logits, the embedding gather, learned positions
// and RoPE, each on tensors far larger than the caches, against a parallel
// copy of the same number of bytes on the same threads, measured in the
// same run: the share of the copy's bandwidth each kernel reaches.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_MEMORYBENCH_H
#define KILN_BENCH_MEMORYBENCH_H

#include "bench/BenchSupport.h"

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace kiln::bench {

/// The outcome of one memory-bound kernel on one thread count.
struct MemoryMeasurement {
  /// The kernel's op and shape, e.g. "kiln.layer_norm [16384x1024]".
  std::string name;
  int threads;
  /// The bytes one call reads and writes: its large operands and results.
  double bytes;
  /// Median seconds of one kernel call, and of a parallel copy moving the
  /// same bytes (half read, half written).
  double kilnSeconds;
  double copySeconds;
};

/// Measures every memory-bound kernel on `threads` threads of a pinned
/// pool.
llvm::Expected<std::vector<MemoryMeasurement>>
measureMemoryBoundKernels(int threads, const TimingOptions &timing);

} // namespace kiln::bench

#endif // KILN_BENCH_MEMORYBENCH_H
