//===- ScheduleSelection.cpp - Tuned schedules for a compile --------------===//
//
// Plans the kernels of the function as the kernel compiler does, so that
// choices are numbered like the compiled kernels, and looks each one up.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/ScheduleSelection.h"

#include "codegen/cpu/KernelCompiler.h"
#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"
#include "codegen/tuning/ScheduleSpaceVersion.h"
#include "codegen/tuning/TuningDatabase.h"
#include "codegen/tuning/TuningLookup.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"

using namespace mlir;

namespace kiln {

std::map<std::string, Schedule> ScheduleSelection::getTunedSchedules() const {
  std::map<std::string, Schedule> schedules;
  for (const KernelScheduleChoice &choice : kernels)
    if (choice.record)
      schedules[choice.kernel] = choice.record->schedule;
  return schedules;
}

void ScheduleSelection::printExplanation(llvm::raw_ostream &os) const {
  os << "kiln-compile: schedules for sizes " << bucket.str() << " on "
     << machine.cpu << ":\n";
  if (!useTuning)
    os << "  (tuning disabled by --no-tuning)\n";
  else if (!hasDatabase)
    os << "  (no tuning database at '" << databasePath << "')\n";
  else
    os << "  (tuning database '" << databasePath << "')\n";
  for (const KernelScheduleChoice &choice : kernels) {
    os << "  " << choice.name << ": ";
    if (choice.record) {
      const TuningRecord &record = *choice.record;
      if (record.schedule == choice.defaultSchedule)
        os << "default schedule, the fastest of " << record.candidates
           << " candidates";
      else
        os << "tuned " << record.schedule.toString() << ", "
           << llvm::format("%.2fx", record.getSpeedup())
           << " the default's speed";
      os << " (record of " << record.measured
         << (record.complete ? "" : ", search interrupted") << ")";
    } else {
      os << "default schedule";
      if (useTuning && hasDatabase && choice.skipped.empty())
        os << ", no record";
    }
    os << "\n";
    for (const std::string &reason : choice.skipped)
      os << "    skipped a record: " << reason << "\n";
  }
}

void ScheduleSelection::printSummary(llvm::raw_ostream &os) const {
  unsigned tuned = 0, skipped = 0;
  for (const KernelScheduleChoice &choice : kernels) {
    tuned += choice.record.has_value();
    skipped += choice.skipped.size();
  }
  if (tuned == 0 && skipped == 0)
    return;
  os << "kiln-compile: " << tuned << " of " << kernels.size()
     << " kernels use tuned schedules from '" << databasePath << "'";
  if (skipped)
    os << "; " << skipped << (skipped == 1 ? " record" : " records")
       << " skipped (--explain-schedules says why)";
  os << "\n";
}

FailureOr<ScheduleSelection>
selectSchedules(func::FuncOp func, const ScheduleSelectionOptions &options) {
  ScheduleSelection selection;
  selection.useTuning = options.useTuning;
  selection.databasePath = options.databasePath.empty()
                               ? getDefaultTuningDatabasePath()
                               : options.databasePath;
  selection.bucket = options.bucket.value_or(
      getDefaultShapeBucket(func->getParentOfType<ModuleOp>()));
  llvm::Expected<TuningMachine> machine = getTuningMachine(options.targetCpu);
  if (!machine)
    return func.emitError() << llvm::toString(machine.takeError());
  selection.machine = *machine;
  llvm::Expected<Halide::Target> target = parseKernelTarget(options.targetCpu);
  if (!target)
    return func.emitError() << llvm::toString(target.takeError());

  TuningDatabase database;
  selection.hasDatabase = options.useTuning &&
                          !selection.databasePath.empty() &&
                          llvm::sys::fs::exists(selection.databasePath);
  if (selection.hasDatabase) {
    llvm::Expected<TuningDatabase> loaded =
        TuningDatabase::load(selection.databasePath, selection.warnings);
    if (!loaded)
      return func.emitError() << llvm::toString(loaded.takeError());
    database = std::move(*loaded);
  }

  FailureOr<KernelPlan> plan = planKernels(func);
  if (failed(plan))
    return failure();
  for (auto [index, entry] : llvm::enumerate(plan->entries)) {
    KernelScheduleChoice choice;
    choice.name = getKernelName(index, entry.signature);
    choice.kernel = entry.signature.key();
    llvm::Expected<ScheduleSpace> space =
        getKernelScheduleSpace(entry.signature, *target);
    if (!space)
      return entry.ops.front()->emitError()
             << llvm::toString(space.takeError());
    choice.defaultSchedule = space->getDefaultSchedule();
    if (selection.hasDatabase) {
      TuningQuery query{choice.kernel, selection.bucket.str(),
                        selection.machine, &*space,
                        getScheduleSpaceVersion(*space)};
      TuningMatch match = lookupTuningRecord(database, query);
      if (match.record)
        choice.record = *match.record;
      choice.skipped = std::move(match.skipped);
    }
    selection.kernels.push_back(std::move(choice));
  }
  return selection;
}

} // namespace kiln
