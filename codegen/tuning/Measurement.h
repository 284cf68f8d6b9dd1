//===- Measurement.h - What the tuner asks a measuring worker ---*- C++ -*-===//
//
// kiln-tune never runs a candidate kernel in its own process: a crashing or
// hanging schedule must not take the tuner down. It writes a MeasureJob as
// JSON to a worker process (kiln-tune itself in its hidden `--measure-worker`
// mode) and reads back a MeasureResult. A job carries everything the worker
// needs without the model: the op to build the kernel for (a function
// holding a clone of it, as MLIR text), the schedules, the concrete operand
// and result shapes of each workload, and how to measure.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_MEASUREMENT_H
#define KILN_CODEGEN_TUNING_MEASUREMENT_H

#include "codegen/Schedule.h"
#include "dialect/ShapeInference.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <cstdint>
#include <string>
#include <vector>

namespace kiln {

/// The concrete shapes of one kernel call.
struct KernelWorkload {
  /// What the sizes are, e.g. `seq=128`.
  std::string name;
  /// One shape per operand and per result of the op, outermost first.
  std::vector<ConcreteShape> operands;
  std::vector<ConcreteShape> results;
};

/// A fault that the worker injects into the challenger on purpose, so that
/// tests can check how the tuner treats bad candidates. Only the hidden
/// `--test-*` options of kiln-tune set one.
enum class TestFault {
  None,
  /// The worker aborts after compiling the challenger.
  Crash,
  /// The worker sleeps forever after compiling the challenger.
  Hang,
  /// The challenger's results are perturbed before they are checked.
  WrongOutput,
};

/// One measurement to make in a worker.
struct MeasureJob {
  /// MLIR text of a module whose function `@probe` holds the op, with one
  /// argument per operand, in operand order.
  std::string probe;
  /// The kernel signature key that the op must have.
  std::string kernel;
  /// The `--target-cpu=` value to compile for.
  std::string targetCpu = "host";
  /// The threads to run kernels on; 0 for one per available CPU.
  int threads = 0;
  /// The incumbent, then the challengers, all measured side by side.
  std::vector<Schedule> schedules;
  /// The small workload checked against the fp64 reference evaluator.
  KernelWorkload check;
  /// The workloads timed; at each, challengers must also agree with the
  /// incumbent.
  std::vector<KernelWorkload> workloads;
  /// The timed seconds to aim for per schedule and workload, within
  /// [minRepetitions, maxRepetitions] runs.
  double secondsPerMeasurement = 0.2;
  unsigned minRepetitions = 5;
  unsigned maxRepetitions = 200;
  /// Results must be within `tolerance * max(1, max |expected|)` of the
  /// expected ones.
  double tolerance = 1e-4;
  /// The seed of the random arguments.
  uint64_t seed = 1;
  /// A file caching the reference results of the check workload; the
  /// first worker that computes them writes it. Empty for no cache.
  std::string referenceCache;
  TestFault fault = TestFault::None;

  llvm::json::Value toJSON() const;
  static llvm::Expected<MeasureJob> fromJSON(const llvm::json::Value &value);
};

/// What a worker found for one schedule.
struct ScheduleMeasurement {
  enum class Status {
    /// Correct, and timed at every workload.
    Measured,
    /// Its results disagree with the reference or the incumbent.
    WrongOutput,
    /// It could not be built or run.
    Failed,
  };
  Status status = Status::Failed;
  /// What went wrong, for WrongOutput and Failed.
  std::string message;
  /// The median seconds at each workload, for Measured.
  std::vector<double> medianSeconds;
  /// The timed runs per workload.
  unsigned repetitions = 0;
};

/// The answer of a worker: one measurement per schedule of the job.
struct MeasureResult {
  std::vector<ScheduleMeasurement> schedules;
  /// The most CPUs, on average over the timing of one workload, that other
  /// processes kept busy (see CpuContention.h); 0 when unknown.
  double busyCpus = 0;

  llvm::json::Value toJSON() const;
  static llvm::Expected<MeasureResult> fromJSON(const llvm::json::Value &value);
};

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_MEASUREMENT_H
