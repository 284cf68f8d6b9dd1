//===- FmaProbe.h - The machine's measured f32 FMA peak ---------*- C++ -*-===//
//
// The yardstick of compute-bound kernels: a loop of independent fused
// multiply-adds on enough vector accumulators to hide the FMA latency,
// using the widest vectors the CPU has (AVX-512, else AVX2), run on each
// CPU alone and on several CPUs at once, each thread pinned. A peak is the
// best of several runs, not their median: other processes on the machine
// can only lower the rate a run sees.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_BENCH_FMAPROBE_H
#define KILN_BENCH_FMAPROBE_H

#include <string>
#include <vector>

namespace kiln::bench {

/// The instruction set the probe uses on this CPU: "avx512" or "avx2", or
/// "" when the CPU has neither.
std::string getFmaProbeIsa();

/// The f32 GFLOP/s (an FMA counts as 2 FLOPs) of one thread pinned to
/// `cpu`: the best of `repetitions` runs of about `seconds` each.
double measureFmaPeak(int cpu, double seconds, unsigned repetitions);

/// The summed f32 GFLOP/s of one thread pinned to each of `cpus`, all
/// running at once: the best of `repetitions` runs.
double measureFmaPeak(const std::vector<int> &cpus, double seconds,
                      unsigned repetitions);

} // namespace kiln::bench

#endif // KILN_BENCH_FMAPROBE_H
