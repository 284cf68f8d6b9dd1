//===- MeasureWorker.h - Build, check and time candidates -------*- C++ -*-===//
//
// The worker side of a measurement (Measurement.h). For every schedule of
// the job it JIT-compiles the kernel (codegen/cpu/KernelRunner.h); checks
// its results on the check workload against the fp64 reference evaluator
// and, at every timed workload, the challengers' results against the
// incumbent's, so that a fast wrong schedule is rejected rather than
// accepted; then times all schedules side by side on the same inputs, the
// checked run serving as warm-up: one timed run each sets the number of
// repetitions, then several rounds in which each schedule runs a block of
// repetitions in turn, so that drifting machine load touches all of them
// alike. Each schedule's median is reported.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_MEASUREWORKER_H
#define KILN_CODEGEN_TUNING_MEASUREWORKER_H

#include "codegen/tuning/Measurement.h"

#include "llvm/Support/raw_ostream.h"

namespace kiln {

/// Runs `job` in this process. Errors of the job itself (a probe that does
/// not parse) fail every schedule with the same message.
MeasureResult runMeasureJob(const MeasureJob &job);

/// The worker's main: reads a job as JSON from standard input, runs it and
/// writes the result as JSON to `os`. Returns the exit status: 0, or 1 when
/// the job cannot be read (the reason goes to standard error).
int runMeasureWorker(llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_MEASUREWORKER_H
