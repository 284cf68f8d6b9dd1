//===- TuningRecord.h - One tuned schedule and how it was found -*- C++ -*-===//
//
// A tuning record says which schedule is fastest for one kernel signature,
// for one shape bucket, on one CPU and kernel target, in one version of the
// kernel's schedule space: those five make the record's identity. It keeps
// what the choice rests on: the median times of the schedule and of the
// default schedule at each workload of the bucket, measured side by side,
// the number of threads, how many candidates the search measured, whether
// the search finished, and when.
//
// Records are JSON objects, one per line of a tuning database:
//
//   {"kernel":"kiln.layer_norm{epsilon=1e-05}(1x?x64xf32,...)->(...)",
//    "bucket":"batch=1;seq=32","cpu":"...","target":"x86-64-linux-...",
//    "space":"3f0c...","schedule":{"autoscheduler":0,"parallel":1,...},
//    "tuned_us":[3.1],"default_us":[4.2],"threads":2,"candidates":14,
//    "complete":true,"measured":"2024-05-01T12:00:00Z"}
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_TUNINGRECORD_H
#define KILN_CODEGEN_TUNING_TUNINGRECORD_H

#include "codegen/Schedule.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/JSON.h"

#include <string>
#include <vector>

namespace kiln {

/// One tuned schedule.
struct TuningRecord {
  /// The kernel signature key (KernelSignature::key()).
  std::string kernel;
  /// The shape bucket (ShapeBucket::str()).
  std::string bucket;
  /// The CPU and kernel target (TuningMachine).
  std::string cpu;
  std::string target;
  /// The schedule space version (getScheduleSpaceVersion).
  std::string space;
  /// The fastest schedule found; the default one when nothing beat it.
  Schedule schedule;
  /// Median seconds of `schedule` and of the default schedule at each
  /// workload of the bucket, in the bucket's order.
  std::vector<double> tunedSeconds;
  std::vector<double> defaultSeconds;
  /// The threads the kernels ran on.
  int threads = 0;
  /// The candidates measured, the default and seeds included.
  unsigned candidates = 0;
  /// Whether the search used its whole budget or exhausted the space;
  /// false when it was interrupted, and the tuner then resumes it.
  bool complete = false;
  /// When the record was made, as ISO 8601 UTC (`2024-05-01T12:00:00Z`),
  /// which sorts by time.
  std::string measured;

  /// Whether `other` has the same identity (kernel, bucket, CPU, target
  /// and space version).
  bool isSameKey(const TuningRecord &other) const;

  /// The default's total time over the schedule's (>= 1 when the search
  /// kept only improvements); 1 without times.
  double getSpeedup() const;

  /// The JSON object of the record.
  llvm::json::Value toJSON() const;

  /// Reads a record, naming the first missing or malformed member.
  static llvm::Expected<TuningRecord> fromJSON(const llvm::json::Value &value);
};

/// The current time in the form of TuningRecord::measured.
std::string getCurrentTimestamp();

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_TUNINGRECORD_H
