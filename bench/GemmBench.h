//===- GemmBench.h - kiln.linear kernels against OpenBLAS -------*- C++ -*-===//
//
// Times the kernel of a linear layer with bias and tanh-GELU epilogue,
// whose weight is a model weight (so that the kernel reads it pre-packed,
// as in compiled models), against OpenBLAS's sgemm on the same operands and
// the same number of threads, and checks that the two agree.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_GEMMBENCH_H
#define KILN_BENCH_GEMMBENCH_H

#include "bench/BenchSupport.h"

#include "llvm/Support/Error.h"

#include <cstdint>

namespace kiln::bench {

/// [rows x inner] . [inner x cols]: a linear layer with `inner` input and
/// `cols` output features applied to `rows` tokens.
struct GemmShape {
  int64_t rows;
  int64_t inner;
  int64_t cols;

  /// 2 * rows * inner * cols.
  double getFlops() const;
};

/// The outcome of one shape on one thread count.
struct GemmMeasurement {
  GemmShape shape;
  int threads;
  /// Median seconds of one Kiln kernel call (sgemm + bias + GELU).
  double kilnSeconds;
  /// Median seconds of one OpenBLAS sgemm call.
  double openblasSeconds;
  /// The largest |Kiln - (OpenBLAS sgemm + epilogue in f64)| over the
  /// output, and the largest magnitude of that reference.
  double maxAbsDiff;
  double maxAbsReference;
};

/// Measures `shape` on `threads` threads (pinned like the runtime's pool:
/// every worker but the caller's thread on a CPU of its own). Fails when
/// Kiln's output is not OpenBLAS's plus the epilogue, up to rounding.
llvm::Expected<GemmMeasurement> measureGemm(const GemmShape &shape, int threads,
                                            const TimingOptions &timing);

} // namespace kiln::bench

#endif // KILN_BENCH_GEMMBENCH_H
