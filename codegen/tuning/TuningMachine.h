//===- TuningMachine.h - The machine a schedule was measured on -*- C++ -*-===//
//
// A tuned schedule is only known to be fast on the CPU it was measured on
// and for the instruction-set level its kernels were compiled for, so both
// are part of a tuning record's identity: the CPU's model name (from
// /proc/cpuinfo, with LLVM's name of the micro-architecture) and the Halide
// target string of the kernels, which lists the features they use.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_TUNINGMACHINE_H
#define KILN_CODEGEN_TUNING_TUNINGMACHINE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace kiln {

/// The CPU and kernel target of tuning records.
struct TuningMachine {
  /// The host CPU, e.g. `Intel(R) Xeon(R) Platinum 8488C (sapphirerapids)`.
  std::string cpu;
  /// The kernels' Halide target, e.g. `x86-64-linux-avx-avx2-...`.
  std::string target;
};

/// The host CPU and the kernel target that `targetCpu` (a `--target-cpu=`
/// value, see codegen/cpu/Target.h) names; fails for unknown names.
llvm::Expected<TuningMachine> getTuningMachine(llvm::StringRef targetCpu);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_TUNINGMACHINE_H
