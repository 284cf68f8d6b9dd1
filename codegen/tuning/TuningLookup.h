//===- TuningLookup.h - Which record applies to a kernel --------*- C++ -*-===//
//
// Finds the record of a tuning database that applies to one kernel here
// and now: same signature, shape bucket, CPU, kernel target and schedule
// space version, and a schedule that the current space accepts. Every other
// record of the kernel is passed over with a reason in words, which
// `kiln-compile --explain-schedules` and kiln-tune print: records of
// another machine or an older space are never used, and never silently.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_TUNINGLOOKUP_H
#define KILN_CODEGEN_TUNING_TUNINGLOOKUP_H

#include "codegen/Schedule.h"
#include "codegen/tuning/TuningDatabase.h"
#include "codegen/tuning/TuningMachine.h"

#include <string>
#include <vector>

namespace kiln {

/// What a record must match to be used for a kernel.
struct TuningQuery {
  /// The kernel signature key.
  std::string kernel;
  /// The shape bucket's text.
  std::string bucket;
  TuningMachine machine;
  /// The kernel's schedule space and its version.
  const ScheduleSpace *space = nullptr;
  std::string spaceVersion;
};

/// The record that applies to a kernel, if any, and why the others do not.
struct TuningMatch {
  /// The matching record, or null.
  const TuningRecord *record = nullptr;
  /// One reason per other record of the kernel, e.g. `measured on CPU 'X',
  /// this is 'Y'`.
  std::vector<std::string> skipped;
};

/// Looks up the record of `query` in `database`.
TuningMatch lookupTuningRecord(const TuningDatabase &database,
                               const TuningQuery &query);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_TUNINGLOOKUP_H
