//===- AttentionBench.h - kiln.attention kernels ----------------*- C++ -*-===//
//
// Times the fused attention kernel of a Transformer layer (batch 1, every
// query attending to every key, or causally), for comparison with the FMA
// peak and with PyTorch, which the benchmark driver measures apart.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_ATTENTIONBENCH_H
#define KILN_BENCH_ATTENTIONBENCH_H

#include "bench/BenchSupport.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace kiln::bench {

/// One attention problem: `heads` heads of `headDim` over `seq` queries
/// and keys.
struct AttentionShape {
  int64_t heads;
  int64_t headDim;
  int64_t seq;
  bool causal;

  /// 4 * seq^2 * headDim * heads: the two matrix products of attention
  /// without a mask, the count used for causal attention too, so that its
  /// GFLOP/s show what skipping hidden keys saves.
  double getFlops() const;
};

/// The outcome of one attention problem on one thread count.
struct AttentionMeasurement {
  AttentionShape shape;
  int threads;
  /// Median seconds of one kernel call.
  double kilnSeconds;
};

/// Measures `shapes` on `threads` threads of a pinned pool, in rounds that
/// run each shape in turn, so that a slow phase of a shared machine hurts
/// all of them alike and their time ratios (causal to non-causal) hold.
llvm::Expected<std::vector<AttentionMeasurement>>
measureAttention(llvm::ArrayRef<AttentionShape> shapes, int threads,
                 const TimingOptions &timing);

} // namespace kiln::bench

#endif // KILN_BENCH_ATTENTIONBENCH_H
