//===- WorkerProcess.h - Run a measurement in a child process ---*- C++ -*-===//
//
// Runs one MeasureJob in a separate process, so that a candidate schedule
// that crashes, corrupts memory or never finishes costs one measurement,
// not the tuner. The job goes to the child's standard input and its result
// comes back on standard output, both through files in a scratch
// directory; the child is killed when it runs past its time limit or when
// the tuner is interrupted.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_WORKERPROCESS_H
#define KILN_CODEGEN_TUNING_WORKERPROCESS_H

#include "codegen/tuning/Measurement.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <functional>
#include <string>

namespace kiln {

/// How a worker process ended.
struct WorkerOutcome {
  enum class Kind {
    /// It wrote a result.
    Finished,
    /// It died, exited with an error, or wrote no readable result.
    Crashed,
    /// It ran past its time limit and was killed.
    TimedOut,
    /// The tuner was interrupted and killed it; the result is unknown.
    Interrupted,
  };
  Kind kind = Kind::Crashed;
  /// The result, for Finished.
  MeasureResult result;
  /// What happened otherwise, with the end of the worker's error output.
  std::string message;
};

/// How to start workers.
struct WorkerCommand {
  /// The program and its arguments (`arguments[0]` is the program name).
  std::string program;
  std::vector<std::string> arguments;
  /// An existing directory for the job, result and error files.
  std::string scratchDirectory;
};

/// Runs `job` in a worker started with `command`; kills it after
/// `timeoutSeconds`, or as soon as `isInterrupted` returns true (polled a
/// few times per second).
WorkerOutcome runWorkerProcess(const WorkerCommand &command,
                               const MeasureJob &job, double timeoutSeconds,
                               const std::function<bool()> &isInterrupted);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_WORKERPROCESS_H
