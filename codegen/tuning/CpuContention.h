//===- CpuContention.h - Other processes on the measuring CPUs --*- C++ -*-===//
//
// A measurement taken while other processes run on the same CPUs is not
// only noisy but biased: a parallel schedule loses the cores it waits for,
// a serial one does not, so contention makes serial schedules look good
// that are slow on a quiet machine. The worker therefore measures how much
// of its CPUs other processes used while it timed kernels (from the
// kernel's per-CPU counters in /proc/stat, minus its own CPU time), and the
// tuner trusts a comparison only when that stayed low.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_CPUCONTENTION_H
#define KILN_CODEGEN_TUNING_CPUCONTENTION_H

#include <chrono>
#include <optional>

namespace kiln {

/// Measures, from its construction on, the CPU time that other processes
/// take on the CPUs this process may run on.
class CpuContentionMeter {
public:
  CpuContentionMeter();

  /// The average number of this process's CPUs that other processes kept
  /// busy since construction (0 for none, 1 for one whole CPU), or nothing
  /// where the counters cannot be read.
  std::optional<double> getBusyCpus() const;

private:
  /// The busy seconds of this process's CPUs, and this process's own CPU
  /// seconds, now.
  struct Sample {
    double cpuBusySeconds;
    double processSeconds;
    std::chrono::steady_clock::time_point time;
  };
  static std::optional<Sample> takeSample();

  std::optional<Sample> start;
};

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_CPUCONTENTION_H
