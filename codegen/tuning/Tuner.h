//===- Tuner.h - Search, measure and remember kernel schedules --*- C++ -*-===//
//
// The tuning loop of kiln-tune, for the distinct kernels of one model:
//
//  1. Look each kernel up in the database; kernels with a complete record
//     for this machine, bucket and space are done (unless retuning), those
//     with an interrupted search resume from their record.
//  2. Measure the default schedule of every kernel left, checked against
//     the fp64 reference; a default that fails is reported as a bug and
//     its kernel is not tuned.
//  3. Split the remaining time budget by each kernel's share of the
//     model's time (median time at every workload times calls per
//     forward), largest first; time a kernel leaves unused goes to the
//     kernels after it. A candidate starts only while it (and the final
//     confirmation, once a candidate has won) is expected to fit the
//     kernel's share, and is stopped soon after the share runs out.
//  4. Per kernel, measure candidates of its ScheduleSearch, each in a
//     worker process beside the incumbent; a candidate becomes the
//     incumbent when its total time is lower by `minImprovement` and it is
//     at most 2% slower at any workload, in a measurement that other
//     processes did not disturb (measured again up to twice otherwise).
//     Crashes, hangs and wrong outputs are counted and reported, never
//     accepted.
//  5. Measure the winner beside the default once more, with longer
//     measurements, and keep it only if it is still faster in total by
//     `minImprovement` and at most 1% slower at any workload, undisturbed;
//     record the result and save the database.
//
// An interruption stops the current measurement, records what was found
// so far as an incomplete record, saves, and returns.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_TUNING_TUNER_H
#define KILN_CODEGEN_TUNING_TUNER_H

#include "codegen/tuning/KernelProbe.h"
#include "codegen/tuning/ProgressDisplay.h"
#include "codegen/tuning/ShapeBucket.h"
#include "codegen/tuning/TuningDatabase.h"
#include "codegen/tuning/WorkerProcess.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kiln {

/// Options of a tuning run.
struct TunerOptions {
  /// Where the database is saved after each kernel.
  std::string databasePath;
  /// The sizes tuned for; the kernels' workloads follow it.
  ShapeBucket bucket;
  /// The `--target-cpu=` value.
  std::string targetCpu = "host";
  /// Threads the kernels run on; 0 for one per available CPU.
  int threads = 0;
  /// The whole run's time budget, defaults included.
  double budgetSeconds = 600;
  /// At most this many candidates per kernel and run; 0 for no limit.
  unsigned maxCandidates = 0;
  /// Tune kernels again even when they have complete records.
  bool retune = false;
  /// Each worker's time limit; derived from the kernel's default time when
  /// absent.
  std::optional<double> timeoutSeconds;
  /// The timed seconds per schedule and workload that a measurement aims
  /// for (the final comparison with the default takes three times as
  /// long).
  double secondsPerMeasurement = 0.1;
  /// The relative tolerance of the output checks.
  double tolerance = 1e-4;
  /// The lowest relative gain in total time that makes a candidate win.
  double minImprovement = 0.02;
  /// A measurement during which other processes kept more CPUs than this
  /// busy is not trusted to make a candidate win.
  double maxBusyCpus = 0.25;
  /// The seed of the search and of the measured inputs.
  uint64_t seed = 1;
  /// How to start a worker.
  WorkerCommand worker;
  /// Faults to inject, by the number of the candidate (counting from 1 in
  /// each kernel's search of this run); for tests only.
  std::map<unsigned, TestFault> testFaults;
};

/// What a run did to one kernel.
struct KernelTuningResult {
  enum class State {
    /// A complete record existed; nothing was measured.
    AlreadyTuned,
    /// Tuned to the end of its budget or of its space.
    Tuned,
    /// The run was interrupted before the kernel's search finished.
    Interrupted,
    /// The budget ran out before the kernel's first candidate: it keeps
    /// its default schedule (recorded as complete; --retune tunes again).
    OutOfBudget,
    /// The default schedule failed or was wrong: a bug, not tuned.
    DefaultFails,
  };
  std::string name;
  std::string key;
  unsigned calls = 0;
  State state = State::Interrupted;
  /// Median seconds of the default and chosen schedules per workload,
  /// empty when not measured.
  std::vector<double> defaultSeconds;
  std::vector<double> tunedSeconds;
  Schedule schedule;
  /// Candidates measured in all runs, and this run's failed (crashed, hung
  /// or not built), rejected (wrong output) and winning ones.
  unsigned candidates = 0;
  unsigned failed = 0;
  unsigned rejected = 0;
  unsigned improved = 0;
  /// Why the default fails.
  std::string message;

  /// The default's total time over the chosen schedule's; 1 if unknown.
  double getSpeedup() const;
};

/// What a run did.
struct TuningReport {
  ShapeBucket bucket;
  std::vector<KernelTuningResult> kernels;
  bool interrupted = false;
  double elapsedSeconds = 0;

  /// Prints a table of default and tuned median times per kernel and
  /// workload, with speedups, and the model's total (calls times time).
  void print(llvm::raw_ostream &os) const;
};

/// Tunes the kernels of one model.
class Tuner {
public:
  /// A tuner reporting progress to `display` and stopping as soon as
  /// `isInterrupted` returns true.
  Tuner(TunerOptions options, ProgressDisplay &display,
        std::function<bool()> isInterrupted);
  ~Tuner();

  /// Tunes `kernels` (from collectTuningKernels with the options' bucket),
  /// updating `database` and saving it after each kernel. Fails on errors
  /// of the tuner itself: an unknown target, a database that cannot be
  /// written.
  llvm::Expected<TuningReport> run(const std::vector<TuningKernel> &kernels,
                                   TuningDatabase &database);

private:
  struct KernelState;

  /// Looks every kernel up in `database` and decides what to measure.
  llvm::Error prepare(const std::vector<TuningKernel> &kernels,
                      const TuningDatabase &database);
  /// Measures the default schedule of every kernel to tune that has no
  /// default times yet, and records it.
  llvm::Error measureDefaults(TuningDatabase &database);
  /// Runs the search of `state` for at most `budgetSeconds`.
  void search(KernelState &state, double budgetSeconds);
  /// Measures the incumbent of `state` beside the default once more and
  /// keeps whichever schedule this shows to be right.
  void confirm(KernelState &state);
  /// A job measuring `schedules` of `state`'s kernel.
  MeasureJob makeJob(const KernelState &state, std::vector<Schedule> schedules,
                     TestFault fault, double secondsScale) const;
  /// Runs `job` in a worker with a time limit of `timeoutSeconds`.
  WorkerOutcome measure(const MeasureJob &job, double timeoutSeconds) const;
  /// Whether other processes disturbed the measurement of `outcome`.
  bool isDisturbed(const WorkerOutcome &outcome) const;
  /// Measures `job` again, up to three measurements in all, while
  /// `outcome` is disturbed and `wouldAccept` its result; returns the last
  /// outcome. `what` names the job in progress lines.
  WorkerOutcome remeasureWhileDisturbed(
      WorkerOutcome outcome, const MeasureJob &job, double timeoutSeconds,
      const std::function<bool(const MeasureResult &)> &wouldAccept,
      llvm::StringRef what) const;
  /// Stores what is known of `state` in `database` and saves it.
  llvm::Error record(const KernelState &state, TuningDatabase &database) const;
  /// Shows the status line for `state`.
  void showStatus(const KernelState &state) const;
  /// The seconds left of the whole budget.
  double getSecondsLeft() const;

  TunerOptions options;
  ProgressDisplay &display;
  std::function<bool()> isInterrupted;
  /// The CPU and target of the records written.
  std::string cpu, target;
  /// The threads the kernels run on, resolved.
  int threads = 0;
  std::string scratchDirectory;
  std::vector<KernelState> states;
  /// The position of the kernel being tuned and how many are tuned.
  unsigned position = 0, numToTune = 0;
  std::chrono::steady_clock::time_point start;
};

} // namespace kiln

#endif // KILN_CODEGEN_TUNING_TUNER_H
