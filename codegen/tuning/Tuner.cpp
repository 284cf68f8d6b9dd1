//===- Tuner.cpp - Search, measure and remember kernel schedules ----------===//
//
// The phases of a tuning run (see Tuner.h), the acceptance rule for
// candidates, and the report.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/Tuner.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"
#include "codegen/tuning/ScheduleSearch.h"
#include "codegen/tuning/ScheduleSpaceVersion.h"
#include "codegen/tuning/TuningLookup.h"
#include "codegen/tuning/TuningMachine.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <numeric>

using namespace llvm;
using Status = kiln::ScheduleMeasurement::Status;

namespace kiln {

//===----------------------------------------------------------------------===//
// Formatting
//===----------------------------------------------------------------------===//

/// `message` on one line: Halide's messages end in newlines and may list
/// details on further lines.
static std::string oneLine(StringRef message) {
  std::string line = message.trim().str();
  std::replace(line.begin(), line.end(), '\n', ' ');
  return line;
}

/// `seconds` with a unit that keeps three significant digits readable.
static std::string formatSeconds(double seconds) {
  std::string text;
  raw_string_ostream os(text);
  if (seconds < 1e-3)
    os << format("%.1f us", seconds * 1e6);
  else if (seconds < 1.0)
    os << format("%.3f ms", seconds * 1e3);
  else
    os << format("%.3f s", seconds);
  return text;
}

/// Times per workload joined with `+`, e.g. `1.234 ms+4.567 ms`.
static std::string formatTimes(ArrayRef<double> seconds) {
  std::string text;
  for (double value : seconds)
    text += (text.empty() ? "" : "+") + formatSeconds(value);
  return text;
}

/// A speedup as `1.23x`.
static std::string formatSpeedup(double speedup) {
  std::string text;
  raw_string_ostream(text) << format("%.2fx", speedup);
  return text;
}

/// A duration as `4m12s` or `35s`.
static std::string formatDuration(double seconds) {
  auto whole = static_cast<int64_t>(std::max(0.0, seconds));
  if (whole < 60)
    return std::to_string(whole) + "s";
  return std::to_string(whole / 60) + "m" + std::to_string(whole % 60) + "s";
}

/// The sum of `seconds`.
static double total(ArrayRef<double> seconds) {
  return std::accumulate(seconds.begin(), seconds.end(), 0.0);
}

/// The words for `state` in the report.
static StringRef describeState(KernelTuningResult::State state) {
  switch (state) {
  case KernelTuningResult::State::AlreadyTuned:
    return "from the database";
  case KernelTuningResult::State::Tuned:
    return "tuned";
  case KernelTuningResult::State::Interrupted:
    return "interrupted";
  case KernelTuningResult::State::OutOfBudget:
    return "out of budget";
  case KernelTuningResult::State::DefaultFails:
    return "default fails";
  }
  llvm_unreachable("unknown tuning state");
}

/// How long a candidate may run past its kernel's share of the budget
/// before it is stopped.
static constexpr double kBudgetGraceSeconds = 10;

/// How many times a job is measured, at most, while other processes
/// disturb measurements that would make a candidate win.
static constexpr unsigned kMeasurementAttempts = 3;

/// Whether `result` measured every schedule.
static bool isMeasured(const MeasureResult &result) {
  return llvm::all_of(result.schedules, [](const ScheduleMeasurement &m) {
    return m.status == ScheduleMeasurement::Status::Measured;
  });
}

double KernelTuningResult::getSpeedup() const {
  double tuned = total(tunedSeconds), original = total(defaultSeconds);
  return tuned > 0 && original > 0 ? original / tuned : 1.0;
}

//===----------------------------------------------------------------------===//
// Kernel state
//===----------------------------------------------------------------------===//

struct Tuner::KernelState {
  explicit KernelState(TuningKernel kernel) : kernel(std::move(kernel)) {}

  TuningKernel kernel;
  ScheduleSpace space;
  std::string spaceVersion;
  Schedule defaultSchedule;
  /// The file caching the reference results of the check workload.
  std::string referenceCache;
  KernelTuningResult result;
  /// Whether the kernel is searched in this run.
  bool isTuned = false;
  /// The best schedule so far and its times, measured beside the
  /// schedule it beat.
  Schedule incumbent;
  std::vector<double> incumbentSeconds;
  /// The candidates measured and failed in this run's search.
  unsigned searched = 0;
  /// The seconds the default's measurement took in this run, 0 if it was
  /// not measured.
  double defaultJobSeconds = 0;

  /// The kernel's share of the model's time: its default time at every
  /// workload, times its calls per forward.
  double getWeight() const {
    return total(result.defaultSeconds) * kernel.calls;
  }
};

//===----------------------------------------------------------------------===//
// Tuner
//===----------------------------------------------------------------------===//

Tuner::Tuner(TunerOptions options, ProgressDisplay &display,
             std::function<bool()> isInterrupted)
    : options(std::move(options)), display(display),
      isInterrupted(std::move(isInterrupted)) {}

Tuner::~Tuner() = default;

double Tuner::getSecondsLeft() const {
  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  return options.budgetSeconds - elapsed.count();
}

/// Whether `challenger` beats `incumbent` (median seconds per workload):
/// lower in total by the fraction `minGain`, and at no workload more than
/// the fraction `slack` slower.
static bool isFaster(ArrayRef<double> challenger, ArrayRef<double> incumbent,
                     double minGain, double slack) {
  if (challenger.size() != incumbent.size() || challenger.empty())
    return false;
  for (auto [mine, theirs] : llvm::zip_equal(challenger, incumbent))
    if (mine > theirs * (1.0 + slack))
      return false;
  return total(challenger) <= total(incumbent) * (1.0 - minGain);
}

Error Tuner::prepare(const std::vector<TuningKernel> &kernels,
                     const TuningDatabase &database) {
  Expected<Halide::Target> kernelTarget = parseKernelTarget(options.targetCpu);
  if (!kernelTarget)
    return kernelTarget.takeError();
  Expected<TuningMachine> machine = getTuningMachine(options.targetCpu);
  if (!machine)
    return machine.takeError();
  cpu = machine->cpu;
  target = machine->target;
  threads = options.threads > 0
                ? options.threads
                : static_cast<int>(
                      llvm::hardware_concurrency().compute_thread_count());

  for (auto [index, kernel] : llvm::enumerate(kernels)) {
    Expected<ScheduleSpace> space =
        getKernelScheduleSpace(kernel.signature, *kernelTarget);
    if (!space)
      return createStringError(inconvertibleErrorCode(),
                               kernel.name + ": " +
                                   toString(space.takeError()));
    KernelState state(kernel);
    state.space = *space;
    state.spaceVersion = getScheduleSpaceVersion(*space);
    state.defaultSchedule = space->getDefaultSchedule();
    SmallString<128> cache(scratchDirectory);
    sys::path::append(cache, std::to_string(index) + "-reference.bin");
    state.referenceCache = std::string(cache);
    state.result.name = kernel.name;
    state.result.key = kernel.key;
    state.result.calls = kernel.calls;
    state.result.schedule = state.defaultSchedule;
    state.incumbent = state.defaultSchedule;

    TuningQuery query{kernel.key, options.bucket.str(), *machine, &state.space,
                      state.spaceVersion};
    TuningMatch match = lookupTuningRecord(database, query);
    for (const std::string &reason : match.skipped)
      display.note("kiln-tune: " + kernel.name +
                   ": ignoring a record: " + reason);
    const TuningRecord *found = options.retune ? nullptr : match.record;
    if (found) {
      state.result.defaultSeconds = found->defaultSeconds;
      state.result.tunedSeconds = found->tunedSeconds;
      state.result.schedule = found->schedule;
      state.result.candidates = found->candidates;
      state.incumbent = found->schedule;
      state.incumbentSeconds = found->tunedSeconds;
    }
    if (found && found->complete) {
      state.result.state = KernelTuningResult::State::AlreadyTuned;
    } else {
      state.isTuned = true;
      ++numToTune;
    }
    states.push_back(std::move(state));
  }
  return Error::success();
}

MeasureJob Tuner::makeJob(const KernelState &state,
                          std::vector<Schedule> schedules, TestFault fault,
                          double secondsScale) const {
  MeasureJob job;
  job.probe = state.kernel.probe;
  job.kernel = state.kernel.key;
  job.targetCpu = options.targetCpu;
  job.threads = threads;
  job.schedules = std::move(schedules);
  job.check = state.kernel.check;
  job.workloads = state.kernel.workloads;
  job.secondsPerMeasurement = options.secondsPerMeasurement * secondsScale;
  job.tolerance = options.tolerance;
  job.seed = options.seed;
  job.referenceCache = state.referenceCache;
  job.fault = fault;
  return job;
}

WorkerOutcome Tuner::measure(const MeasureJob &job,
                             double timeoutSeconds) const {
  WorkerCommand command = options.worker;
  command.scratchDirectory = scratchDirectory;
  return runWorkerProcess(command, job, timeoutSeconds, isInterrupted);
}

bool Tuner::isDisturbed(const WorkerOutcome &outcome) const {
  return outcome.kind == WorkerOutcome::Kind::Finished &&
         outcome.result.busyCpus > options.maxBusyCpus;
}

WorkerOutcome Tuner::remeasureWhileDisturbed(
    WorkerOutcome outcome, const MeasureJob &job, double timeoutSeconds,
    const std::function<bool(const MeasureResult &)> &wouldAccept,
    StringRef what) const {
  for (unsigned attempt = 1;
       attempt < kMeasurementAttempts && isDisturbed(outcome) &&
       wouldAccept(outcome.result);
       ++attempt) {
    std::string busy;
    raw_string_ostream(busy) << format("%.2f", outcome.result.busyCpus);
    display.event(what.str() + ": other processes kept " + busy +
                  " CPUs busy, measuring again");
    outcome = measure(job, timeoutSeconds);
  }
  return outcome;
}

void Tuner::showStatus(const KernelState &state) const {
  const KernelTuningResult &result = state.result;
  std::string line;
  raw_string_ostream os(line);
  double best = total(result.defaultSeconds) /
                std::max(total(state.incumbentSeconds), 1e-12);
  os << "kernel " << position << "/" << numToTune << " " << state.kernel.name
     << ": " << state.searched << " tried, " << result.failed << " failed, "
     << result.rejected << " wrong, best " << formatSpeedup(best) << ", "
     << formatDuration(getSecondsLeft()) << " left";
  display.status(line);
}

Error Tuner::record(const KernelState &state, TuningDatabase &database) const {
  const KernelTuningResult &result = state.result;
  TuningRecord record;
  record.kernel = state.kernel.key;
  record.bucket = options.bucket.str();
  record.cpu = cpu;
  record.target = target;
  record.space = state.spaceVersion;
  record.schedule = result.schedule;
  record.tunedSeconds = result.tunedSeconds;
  record.defaultSeconds = result.defaultSeconds;
  record.threads = threads;
  record.candidates = result.candidates;
  // A search that used its budget is complete, however small the budget:
  // only --retune measures it again.
  record.complete = result.state == KernelTuningResult::State::Tuned ||
                    result.state == KernelTuningResult::State::OutOfBudget;
  record.measured = getCurrentTimestamp();
  database.replace(std::move(record));
  return database.save(options.databasePath);
}

Error Tuner::measureDefaults(TuningDatabase &database) {
  for (KernelState &state : states) {
    if (!state.isTuned || !state.result.defaultSeconds.empty())
      continue;
    if (isInterrupted())
      return Error::success();
    display.status("default of " + state.kernel.name + ", " +
                   formatDuration(getSecondsLeft()) + " left");
    MeasureJob job = makeJob(state, {state.defaultSchedule}, TestFault::None,
                             /*secondsScale=*/1.0);
    // The first measurement of a kernel also computes its reference.
    auto jobStart = std::chrono::steady_clock::now();
    WorkerOutcome outcome =
        measure(job, options.timeoutSeconds.value_or(600.0));
    state.defaultJobSeconds = std::chrono::duration<double>(
                                  std::chrono::steady_clock::now() - jobStart)
                                  .count();
    if (outcome.kind == WorkerOutcome::Kind::Interrupted)
      return Error::success();
    std::string failure = outcome.message;
    if (outcome.kind == WorkerOutcome::Kind::Finished) {
      const ScheduleMeasurement &measurement = outcome.result.schedules[0];
      if (measurement.status == Status::Measured) {
        state.result.defaultSeconds = measurement.medianSeconds;
        state.result.tunedSeconds = measurement.medianSeconds;
        state.incumbentSeconds = measurement.medianSeconds;
        state.result.candidates = 1;
        display.event("kiln-tune: " + state.kernel.name + ": default " +
                      formatTimes(measurement.medianSeconds) + ", " +
                      std::to_string(state.kernel.calls) + " calls per " +
                      "forward");
        if (Error error = record(state, database))
          return error;
        continue;
      }
      failure = measurement.message;
    }
    state.isTuned = false;
    --numToTune;
    state.result.state = KernelTuningResult::State::DefaultFails;
    state.result.message = oneLine(failure);
    display.note("kiln-tune: error: the default schedule of " +
                 state.kernel.name +
                 " fails, not tuning it: " + state.result.message);
  }
  return Error::success();
}

void Tuner::search(KernelState &state, double budgetSeconds) {
  KernelTuningResult &result = state.result;
  ScheduleSearch search(state.space, state.defaultSchedule,
                        options.seed ^ xxh3_64bits(state.kernel.key));
  if (!(state.incumbent == state.defaultSchedule)) {
    search.markTried(state.incumbent);
    search.accept(state.incumbent);
  }
  double timeout = options.timeoutSeconds.value_or(
      120.0 + 30.0 * total(result.defaultSeconds) * 5);
  using Clock = std::chrono::steady_clock;
  Clock::time_point deadline =
      Clock::now() +
      std::chrono::duration_cast<Clock::duration>(
          std::chrono::duration<double>(std::max(budgetSeconds, 0.0)));
  // The time of the last candidate that was measured (failures, such as
  // slow autoschedulers giving up, say little about the next one), at first
  // that of the default's measurement: a candidate starts only if it is
  // expected to fit the budget, and with it the final confirmation of a new
  // incumbent, about twice as long.
  std::chrono::duration<double> expectedJob(state.defaultJobSeconds);
  bool isFinished = false;
  while (!isInterrupted()) {
    int jobsToFit = state.incumbent == state.defaultSchedule ? 1 : 3;
    if (Clock::now() + jobsToFit * expectedJob >= deadline ||
        (options.maxCandidates && state.searched >= options.maxCandidates)) {
      isFinished = true;
      break;
    }
    std::optional<Schedule> candidate = search.next();
    if (!candidate) {
      isFinished = true;
      break;
    }
    unsigned number = state.searched + 1;
    auto fault = options.testFaults.find(number);
    MeasureJob job = makeJob(state, {state.incumbent, *candidate},
                             fault == options.testFaults.end() ? TestFault::None
                                                               : fault->second,
                             /*secondsScale=*/1.0);
    showStatus(state);
    // A candidate may not overrun the kernel's time by much, whatever it
    // turns out to cost (Adams2019 takes minutes on some pipelines).
    Clock::time_point jobStart = Clock::now();
    double secondsLeft =
        std::chrono::duration<double>(deadline - jobStart).count();
    double limit = std::min(timeout, secondsLeft + kBudgetGraceSeconds);
    std::string what = "kiln-tune: " + state.kernel.name + ": candidate " +
                       std::to_string(number) + " " + candidate->toString();
    auto challengerWins = [&](const MeasureResult &measured) {
      return isMeasured(measured) &&
             isFaster(measured.schedules[1].medianSeconds,
                      measured.schedules[0].medianSeconds,
                      options.minImprovement, /*slack=*/0.02);
    };
    WorkerOutcome outcome = measure(job, limit);
    std::chrono::duration<double> jobTime = Clock::now() - jobStart;
    outcome = remeasureWhileDisturbed(std::move(outcome), job, limit,
                                      challengerWins, what);
    if (outcome.kind == WorkerOutcome::Kind::Interrupted)
      break;
    if (outcome.kind == WorkerOutcome::Kind::TimedOut && limit < timeout) {
      display.event(what + " stopped: the kernel's time is up");
      isFinished = true;
      break;
    }
    ++state.searched;
    ++result.candidates;
    if (outcome.kind != WorkerOutcome::Kind::Finished) {
      ++result.failed;
      display.note(what + " failed: " + oneLine(outcome.message));
      continue;
    }
    const ScheduleMeasurement &incumbent = outcome.result.schedules[0];
    const ScheduleMeasurement &challenger = outcome.result.schedules[1];
    if (challenger.status == Status::WrongOutput) {
      ++result.rejected;
      display.note(what +
                   " rejected, wrong output: " + oneLine(challenger.message));
      continue;
    }
    if (challenger.status == Status::Failed ||
        incumbent.status != Status::Measured) {
      ++result.failed;
      display.note(what + " failed: " +
                   oneLine(challenger.status == Status::Failed
                               ? challenger.message
                               : incumbent.message));
      continue;
    }
    expectedJob = jobTime;
    bool wins = challengerWins(outcome.result);
    bool isTrusted = !wins || !isDisturbed(outcome);
    display.event(what + ": " + formatTimes(challenger.medianSeconds) +
                  " vs incumbent " + formatTimes(incumbent.medianSeconds) +
                  (!wins       ? ""
                   : isTrusted ? ", now the incumbent"
                               : ", faster but disturbed by other processes, "
                                 "not trusted"));
    if (!wins || !isTrusted)
      continue;
    ++result.improved;
    state.incumbent = *candidate;
    state.incumbentSeconds = challenger.medianSeconds;
    search.accept(*candidate);
  }
  if (!isFinished)
    result.state = KernelTuningResult::State::Interrupted;
  else if (state.searched == 0 && search.getStage() != SearchStage::Exhausted)
    result.state = KernelTuningResult::State::OutOfBudget;
  else
    result.state = KernelTuningResult::State::Tuned;
  result.schedule = state.incumbent;
  result.tunedSeconds = state.incumbentSeconds;
}

void Tuner::confirm(KernelState &state) {
  KernelTuningResult &result = state.result;
  if (state.incumbent == state.defaultSchedule)
    return;
  MeasureJob job = makeJob(state, {state.defaultSchedule, state.incumbent},
                           TestFault::None, /*secondsScale=*/3.0);
  display.status("confirming the best schedule of " + state.kernel.name +
                 " beside the default");
  auto tunedWins = [&](const MeasureResult &measured) {
    return isMeasured(measured) &&
           isFaster(measured.schedules[1].medianSeconds,
                    measured.schedules[0].medianSeconds, options.minImprovement,
                    /*slack=*/0.01);
  };
  double timeout = options.timeoutSeconds.value_or(
      120.0 + 90.0 * total(result.defaultSeconds) * 5);
  WorkerOutcome outcome = remeasureWhileDisturbed(
      measure(job, timeout), job, timeout, tunedWins,
      "kiln-tune: " + state.kernel.name + ": confirmation");
  if (outcome.kind == WorkerOutcome::Kind::Interrupted) {
    result.state = KernelTuningResult::State::Interrupted;
    return;
  }
  std::string problem = outcome.message;
  if (outcome.kind == WorkerOutcome::Kind::Finished) {
    const ScheduleMeasurement &original = outcome.result.schedules[0];
    const ScheduleMeasurement &tuned = outcome.result.schedules[1];
    if (isMeasured(outcome.result)) {
      result.defaultSeconds = original.medianSeconds;
      if (tunedWins(outcome.result) && !isDisturbed(outcome)) {
        result.tunedSeconds = tuned.medianSeconds;
        return;
      }
      problem = "measured again beside the default it takes " +
                formatTimes(tuned.medianSeconds) + ", the default " +
                formatTimes(original.medianSeconds);
      if (isDisturbed(outcome))
        problem += ", with other processes busy on the CPUs";
    } else {
      problem =
          tuned.status != Status::Measured ? tuned.message : original.message;
    }
  }
  display.note("kiln-tune: " + state.kernel.name + ": keeping the default: " +
               "the best candidate " + state.incumbent.toString() +
               " is not confirmed (" + oneLine(problem) + ")");
  result.schedule = state.defaultSchedule;
  result.tunedSeconds = result.defaultSeconds;
}

Expected<TuningReport> Tuner::run(const std::vector<TuningKernel> &kernels,
                                  TuningDatabase &database) {
  start = std::chrono::steady_clock::now();
  SmallString<128> directory;
  if (std::error_code error =
          sys::fs::createUniqueDirectory("kiln-tune", directory))
    return createStringError(error, "cannot create a scratch directory: " +
                                        error.message());
  scratchDirectory = std::string(directory);
  auto cleanup =
      make_scope_exit([&] { sys::fs::remove_directories(scratchDirectory); });
  if (Error error = prepare(kernels, database))
    return std::move(error);

  display.note("kiln-tune: " + std::to_string(states.size()) + " kernels, " +
               std::to_string(states.size() - numToTune) +
               " with complete records, " + std::to_string(numToTune) +
               " to tune for " + options.bucket.str() + " on " +
               std::to_string(threads) + " threads of " + cpu);
  if (numToTune > 0) {
    if (Error error = measureDefaults(database))
      return std::move(error);
    std::vector<KernelState *> order;
    for (KernelState &state : states)
      if (state.isTuned)
        order.push_back(&state);
    // Largest share first; kernel order among equal shares (pointers into
    // `states` are in kernel order).
    llvm::sort(order, [](const KernelState *a, const KernelState *b) {
      return std::make_pair(-a->getWeight(), a) <
             std::make_pair(-b->getWeight(), b);
    });
    double weightLeft = 0;
    for (KernelState *state : order)
      weightLeft += state->getWeight();
    for (KernelState *state : order) {
      if (isInterrupted())
        break;
      ++position;
      double budget = weightLeft > 0
                          ? getSecondsLeft() * state->getWeight() / weightLeft
                          : 0;
      weightLeft -= state->getWeight();
      search(*state, budget);
      if (state->result.state == KernelTuningResult::State::Tuned)
        confirm(*state);
      if (Error error = record(*state, database))
        return std::move(error);
      const KernelTuningResult &result = state->result;
      display.note("kiln-tune: " + result.name + ": " +
                   formatSpeedup(result.getSpeedup()) + " (default " +
                   formatTimes(result.defaultSeconds) + ", tuned " +
                   formatTimes(result.tunedSeconds) + ") after " +
                   std::to_string(state->searched) + " candidates, " +
                   describeState(result.state).str());
    }
  }

  display.finish();
  TuningReport report;
  report.bucket = options.bucket;
  report.interrupted = isInterrupted();
  for (KernelState &state : states)
    report.kernels.push_back(state.result);
  std::chrono::duration<double> elapsed =
      std::chrono::steady_clock::now() - start;
  report.elapsedSeconds = elapsed.count();
  return report;
}

//===----------------------------------------------------------------------===//
// Report
//===----------------------------------------------------------------------===//

void TuningReport::print(raw_ostream &os) const {
  SmallVector<ShapeWorkload> workloads = bucket.getWorkloads();
  os << "kiln-tune: median times per call, default -> tuned"
     << (interrupted ? " (interrupted)" : "") << ":\n";
  os << "  " << left_justify("kernel", 24) << right_justify("calls", 6);
  for (const ShapeWorkload &workload : workloads)
    os << "  " << left_justify(workload.str(), 24);
  os << right_justify("speedup", 8) << "  state\n";
  std::vector<double> modelDefault(workloads.size()),
      modelTuned(workloads.size());
  bool isModelKnown = true;
  for (const KernelTuningResult &kernel : kernels) {
    os << "  " << left_justify(kernel.name, 24)
       << right_justify(std::to_string(kernel.calls), 6);
    bool hasTimes = kernel.defaultSeconds.size() == workloads.size() &&
                    kernel.tunedSeconds.size() == workloads.size();
    isModelKnown &= hasTimes;
    for (size_t i = 0; i < workloads.size(); ++i) {
      std::string cell = "-";
      if (hasTimes) {
        cell = formatSeconds(kernel.defaultSeconds[i]) + " -> " +
               formatSeconds(kernel.tunedSeconds[i]);
        modelDefault[i] += kernel.calls * kernel.defaultSeconds[i];
        modelTuned[i] += kernel.calls * kernel.tunedSeconds[i];
      }
      os << "  " << left_justify(cell, 24);
    }
    os << right_justify(hasTimes ? formatSpeedup(kernel.getSpeedup())
                                 : std::string("-"),
                        8)
       << "  " << describeState(kernel.state);
    if (kernel.state != KernelTuningResult::State::AlreadyTuned &&
        kernel.state != KernelTuningResult::State::DefaultFails)
      os << ", " << kernel.candidates << " candidates (" << kernel.failed
         << " failed, " << kernel.rejected << " wrong)";
    os << "\n";
  }
  if (isModelKnown && !kernels.empty()) {
    os << "  " << left_justify("all calls of a forward", 30);
    for (size_t i = 0; i < workloads.size(); ++i)
      os << "  "
         << left_justify(formatSeconds(modelDefault[i]) + " -> " +
                             formatSeconds(modelTuned[i]),
                         24);
    os << right_justify(formatSpeedup(total(modelDefault) / total(modelTuned)),
                        8)
       << "\n";
  }
  os << "kiln-tune: finished in " << formatDuration(elapsedSeconds) << "\n";
  for (const KernelTuningResult &kernel : kernels)
    os << "  " << kernel.name << ": " << kernel.key << "\n";
}

} // namespace kiln
