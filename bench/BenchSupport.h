//===- BenchSupport.h - Shared pieces of the kernel benchmarks --*- C++ -*-===//
//
// What every kernel benchmark needs: the kernel signature of a small MLIR
// function, seeded random operands, thread pinning, the CPUs the process
// may use, and how many times to run each measurement.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_BENCHSUPPORT_H
#define KILN_BENCH_BENCHSUPPORT_H

#include "codegen/cpu/KernelRunner.h"
#include "codegen/cpu/KernelSignature.h"
#include "reference/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <vector>

namespace kiln::bench {

/// How often each measurement runs. Kiln and its competitor alternate in
/// `rounds` rounds of `repetitions` timed runs each, after `warmup` untimed
/// ones, so that a slow phase of a shared machine hurts both alike.
struct TimingOptions {
  unsigned warmup = 3;
  unsigned repetitions = 10;
  unsigned rounds = 3;
};

/// The kernel signature of the first kiln op of the MLIR function
/// `source`; the error carries the parser's or signatureOf's diagnostics.
llvm::Expected<KernelSignature> parseKernelSignature(llvm::StringRef source);

/// The kernel of the first kiln op of the MLIR function `source` with its
/// default schedule on the host CPU, JIT-compiled to run on `threads`
/// pinned threads.
llvm::Expected<std::unique_ptr<KernelRunner>>
createDefaultRunner(llvm::StringRef source, int threads);

/// A tensor of `shape` whose elements are drawn uniformly from [-1, 1] by
/// a generator seeded with `seed`, then rounded to f32 so that Kiln and
/// the f32 libraries it is compared with read the same values.
ReferenceTensor makeRandomTensor(llvm::ArrayRef<int64_t> shape, uint64_t seed);

/// The seconds of each of `repetitions` calls of `call` after `warmup`
/// untimed ones.
std::vector<double> timeCalls(llvm::function_ref<void()> call, unsigned warmup,
                              unsigned repetitions);

/// The seconds of each of `repetitions` timed calls after `warmup` untimed
/// ones of a yardstick (OpenBLAS, a copy).
using ReferenceTimer =
    llvm::function_ref<std::vector<double>(unsigned warmup,
                                           unsigned repetitions)>;

/// Times `runner`'s kernel and `reference` in alternating rounds of
/// `timing`, appending the seconds of every timed call to `kilnSeconds`
/// and `referenceSeconds`; the error is the kernel's.
llvm::Error timeInAlternation(KernelRunner &runner, ReferenceTimer reference,
                              const TimingOptions &timing,
                              std::vector<double> &kilnSeconds,
                              std::vector<double> &referenceSeconds);

/// Pins the calling thread to `cpu`; returns whether the CPU accepted it.
bool pinCurrentThread(int cpu);

} // namespace kiln::bench

#endif // KILN_BENCH_BENCHSUPPORT_H
