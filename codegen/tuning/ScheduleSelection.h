//===- ScheduleSelection.h - Tuned schedules for a compile ------*- C++ -*-===//
//
// What kiln-compile does with a tuning database: for every kernel of the
// forward function, look up the record that applies (TuningLookup.h) and
// use its schedule, or the generator's default when there is none. The
// selection remembers, per kernel, the record used and why the others were
// passed over, for `--explain-schedules`, and says in one line when records
// exist for the model but some were skipped, so that a stale or foreign
// database never goes unnoticed.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_SCHEDULESELECTION_H
#define KILN_CODEGEN_TUNING_SCHEDULESELECTION_H

#include "codegen/Schedule.h"
#include "codegen/tuning/ShapeBucket.h"
#include "codegen/tuning/TuningMachine.h"
#include "codegen/tuning/TuningRecord.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiln {

/// How a compile chooses schedules.
struct ScheduleSelectionOptions {
  /// The tuning database; empty for getDefaultTuningDatabasePath().
  std::string databasePath;
  /// False for `--no-tuning`: every kernel keeps its default schedule.
  bool useTuning = true;
  /// The sizes to use records of; the module's default bucket when absent.
  std::optional<ShapeBucket> bucket;
  /// The `--target-cpu=` value of the compile.
  std::string targetCpu = "host";
};

/// The schedule chosen for one kernel.
struct KernelScheduleChoice {
  /// The kernel's symbol, `kiln_k<N>_<op kind>`.
  std::string name;
  /// The signature key.
  std::string kernel;
  /// The generator's default schedule.
  Schedule defaultSchedule;
  /// The record used, or none for the default schedule.
  std::optional<TuningRecord> record;
  /// Why each other record of the kernel was not used.
  std::vector<std::string> skipped;
};

/// The schedules of every kernel of a function.
struct ScheduleSelection {
  std::string databasePath;
  bool useTuning = true;
  /// Whether the database file exists.
  bool hasDatabase = false;
  ShapeBucket bucket;
  TuningMachine machine;
  /// Problems with lines of the database, which were ignored.
  std::vector<std::string> warnings;
  /// One choice per kernel, in kernel order.
  std::vector<KernelScheduleChoice> kernels;

  /// The tuned schedules by signature key, for KernelCompilerOptions.
  std::map<std::string, Schedule> getTunedSchedules() const;

  /// Prints, per kernel, the record used or the default, and why records
  /// were skipped.
  void printExplanation(llvm::raw_ostream &os) const;

  /// Prints one line on how many kernels use tuned schedules, when the
  /// database has records for this function's kernels; nothing otherwise.
  void printSummary(llvm::raw_ostream &os) const;
};

/// Chooses the schedule of every kernel of `func`. Emits an error on `func`
/// and fails when the database cannot be read or the target is unknown.
mlir::FailureOr<ScheduleSelection>
selectSchedules(mlir::func::FuncOp func,
                const ScheduleSelectionOptions &options);

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_SCHEDULESELECTION_H
