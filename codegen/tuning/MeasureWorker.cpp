//===- MeasureWorker.cpp - Build, check and time candidate kernels --------===//
//
// The steps of a measurement, each of which can rule a schedule out: build,
// check against the reference, check against the incumbent, time. A
// schedule that fails a step keeps the reason and takes no further part.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/MeasureWorker.h"

#include "codegen/cpu/KernelRunner.h"
#include "codegen/tuning/CpuContention.h"
#include "codegen/tuning/KernelProbe.h"
#include "codegen/tuning/TensorFile.h"
#include "dialect/KilnDialect.h"
#include "reference/Comparison.h"
#include "reference/ReferenceEvaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <thread>

using namespace mlir;
using Status = kiln::ScheduleMeasurement::Status;

namespace kiln {

/// Longer than the thread pool's workers spin after a parallel loop.
static constexpr std::chrono::milliseconds kPauseBetweenBlocks(2);

/// Kernels slower than this many seconds are timed without a wake-up run
/// before each block: waking the pool is lost in their time.
static constexpr double kLongestWithWakeUpRun = 1e-3;

namespace {

/// One schedule of a job, its kernel and its measurement so far.
struct Contender {
  /// Whether test faults apply to it.
  bool isChallenger;
  std::unique_ptr<KernelRunner> runner;
  ScheduleMeasurement measurement;

  /// Whether it is still in the running.
  bool isLive() const { return measurement.status == Status::Measured; }

  /// Rules it out with `status` and the reason.
  void ruleOut(Status status, const std::string &message) {
    measurement.status = status;
    measurement.message = message;
  }
};

/// Collects the messages of diagnostics emitted while it lives.
class DiagnosticCollector {
public:
  explicit DiagnosticCollector(MLIRContext &context)
      : handler(&context, [this](Diagnostic &diagnostic) {
          if (!messages.empty())
            messages += "; ";
          messages += diagnostic.str();
          return success();
        }) {}

  /// The messages so far, or `fallback` when there are none.
  std::string take(StringRef fallback) {
    std::string result = messages.empty() ? fallback.str() : messages;
    messages.clear();
    return result;
  }

private:
  std::string messages;
  ScopedDiagnosticHandler handler;
};

/// Runs the steps of one job.
class Measurement {
public:
  explicit Measurement(const MeasureJob &job)
      : job(job), context(), diagnostics(context) {
    context.loadDialect<KilnDialect, func::FuncDialect, arith::ArithDialect>();
  }

  MeasureResult run();

private:
  /// Fails every schedule with `message`.
  MeasureResult failAll(const std::string &message);

  /// Parses the probe and computes the signature; an error message on
  /// failure.
  std::optional<std::string> loadProbe();

  /// Builds every schedule's kernel.
  void buildKernels();

  /// Injects the job's crash or hang fault, if any, now that challengers
  /// are built.
  void injectProcessFault();

  /// The function of `workload` and its seeded random arguments.
  FailureOr<std::pair<func::FuncOp, std::vector<ReferenceTensor>>>
  prepare(const KernelWorkload &workload, uint64_t seed);

  /// The reference results of the check workload, from the cache or the
  /// evaluator (then cached).
  FailureOr<std::vector<ReferenceTensor>>
  computeReference(func::FuncOp func, ArrayRef<ReferenceTensor> arguments);

  /// Runs `contender` on `arguments` once; its results, or nothing after
  /// ruling it out.
  std::optional<std::vector<ReferenceTensor>>
  runOnce(Contender &contender, ArrayRef<ReferenceTensor> arguments,
          const KernelWorkload &workload);

  /// Rules out contenders whose results differ from `expected`.
  void compareAll(
      const std::vector<std::optional<std::vector<ReferenceTensor>>> &all,
      ArrayRef<ReferenceTensor> expected, const Twine &what,
      bool skipIncumbent);

  /// Checks every contender against the reference on the check workload.
  void checkAgainstReference();

  /// Checks and times the contenders at `workload`.
  void measure(const KernelWorkload &workload, uint64_t seed);

  /// Times the live contenders side by side on their bound buffers.
  void time();

  const MeasureJob &job;
  MLIRContext context;
  DiagnosticCollector diagnostics;
  OwningOpRef<ModuleOp> module;
  Operation *probeOp = nullptr;
  std::optional<KernelSignature> signature;
  std::vector<Contender> contenders;
  /// The most CPUs that other processes kept busy while a workload was
  /// timed.
  double busyCpus = 0;
};

} // namespace

MeasureResult Measurement::failAll(const std::string &message) {
  MeasureResult result;
  for (size_t i = 0; i < job.schedules.size(); ++i)
    result.schedules.push_back({Status::Failed, message, {}, 0});
  return result;
}

std::optional<std::string> Measurement::loadProbe() {
  module = parseSourceString<ModuleOp>(job.probe, &context);
  if (!module)
    return diagnostics.take("cannot parse the probe");
  probeOp = findProbeOp(*module);
  if (!probeOp)
    return std::string("the probe has no kiln op");
  FailureOr<KernelSignature> computed = signatureOf(probeOp);
  if (failed(computed))
    return diagnostics.take("the probe's op has no kernel signature");
  if (computed->key() != job.kernel)
    return "the probe's op has signature '" + computed->key() +
           "', expected '" + job.kernel + "'";
  signature = std::move(*computed);
  return std::nullopt;
}

void Measurement::buildKernels() {
  for (auto [index, schedule] : llvm::enumerate(job.schedules)) {
    Contender contender{index > 0, nullptr, {}};
    contender.measurement.status = Status::Measured;
    llvm::Expected<std::unique_ptr<KernelRunner>> runner =
        KernelRunner::create(*signature, schedule, job.targetCpu, job.threads);
    if (runner)
      contender.runner = std::move(*runner);
    else
      contender.ruleOut(Status::Failed, "cannot build the kernel: " +
                                            llvm::toString(runner.takeError()));
    contenders.push_back(std::move(contender));
  }
}

void Measurement::injectProcessFault() {
  if (contenders.size() < 2)
    return;
  if (job.fault == TestFault::Crash) {
    llvm::errs() << "kiln-tune worker: aborting on purpose (test fault)\n";
    std::abort();
  }
  if (job.fault == TestFault::Hang) {
    llvm::errs() << "kiln-tune worker: hanging on purpose (test fault)\n";
    for (;;)
      std::this_thread::sleep_for(std::chrono::hours(1));
  }
}

FailureOr<std::pair<func::FuncOp, std::vector<ReferenceTensor>>>
Measurement::prepare(const KernelWorkload &workload, uint64_t seed) {
  FailureOr<func::FuncOp> func = specializeProbe(probeOp, workload);
  if (failed(func))
    return failure();
  FailureOr<std::vector<ReferenceTensor>> arguments =
      randomArguments(*func, seed, /*dynamicSizes=*/{});
  if (failed(arguments))
    return failure();
  return std::make_pair(*func, std::move(*arguments));
}

FailureOr<std::vector<ReferenceTensor>>
Measurement::computeReference(func::FuncOp func,
                              ArrayRef<ReferenceTensor> arguments) {
  const std::string &cache = job.referenceCache;
  if (!cache.empty() && llvm::sys::fs::exists(cache)) {
    llvm::Expected<std::vector<ReferenceTensor>> cached = readTensorFile(cache);
    if (cached)
      return std::move(*cached);
    // A damaged cache is recomputed and rewritten.
    llvm::consumeError(cached.takeError());
  }
  FailureOr<std::vector<ReferenceTensor>> expected =
      evaluateFunction(func, arguments);
  if (failed(expected))
    return failure();
  if (!cache.empty())
    if (llvm::Error error = writeTensorFile(cache, *expected))
      llvm::WithColor::warning(llvm::errs(), "kiln-tune worker")
          << llvm::toString(std::move(error)) << "\n";
  return expected;
}

std::optional<std::vector<ReferenceTensor>>
Measurement::runOnce(Contender &contender, ArrayRef<ReferenceTensor> arguments,
                     const KernelWorkload &workload) {
  SmallVector<SmallVector<int64_t>> resultShapes(workload.results.begin(),
                                                 workload.results.end());
  llvm::Error error = contender.runner->bind(arguments, resultShapes);
  if (!error)
    error = contender.runner->run();
  if (error) {
    contender.ruleOut(Status::Failed, "the kernel failed at " + workload.name +
                                          ": " +
                                          llvm::toString(std::move(error)));
    return std::nullopt;
  }
  std::vector<ReferenceTensor> results = contender.runner->getResults();
  if (contender.isChallenger && job.fault == TestFault::WrongOutput &&
      !results.empty() && results[0].getNumElements() > 0) {
    double largest = 1.0;
    for (double x : results[0].getElements())
      largest = std::max(largest, std::abs(x));
    results[0][0] += largest;
  }
  return results;
}

void Measurement::compareAll(
    const std::vector<std::optional<std::vector<ReferenceTensor>>> &all,
    ArrayRef<ReferenceTensor> expected, const Twine &what, bool skipIncumbent) {
  for (auto [contender, results] : llvm::zip_equal(contenders, all)) {
    if (!contender.isLive() || (skipIncumbent && !contender.isChallenger))
      continue;
    for (auto [index, pair] :
         llvm::enumerate(llvm::zip_equal(*results, expected))) {
      std::optional<std::string> mismatch =
          describeMismatch(std::get<0>(pair), std::get<1>(pair), job.tolerance);
      if (!mismatch)
        continue;
      contender.ruleOut(Status::WrongOutput, "result " + std::to_string(index) +
                                                 " " + what.str() + ": " +
                                                 *mismatch);
      break;
    }
  }
}

void Measurement::checkAgainstReference() {
  auto prepared = prepare(job.check, job.seed);
  if (failed(prepared)) {
    std::string message = diagnostics.take("cannot make the check arguments");
    for (Contender &contender : contenders)
      if (contender.isLive())
        contender.ruleOut(Status::Failed, message);
    return;
  }
  auto &[func, arguments] = *prepared;
  FailureOr<std::vector<ReferenceTensor>> expected =
      computeReference(func, arguments);
  if (failed(expected)) {
    std::string message = diagnostics.take("the reference evaluator failed");
    for (Contender &contender : contenders)
      if (contender.isLive())
        contender.ruleOut(Status::Failed, message);
    return;
  }
  std::vector<std::optional<std::vector<ReferenceTensor>>> all;
  for (Contender &contender : contenders)
    all.push_back(contender.isLive() ? runOnce(contender, arguments, job.check)
                                     : std::nullopt);
  compareAll(all, *expected,
             "differs from the fp64 reference at " + job.check.name,
             /*skipIncumbent=*/false);
}

void Measurement::measure(const KernelWorkload &workload, uint64_t seed) {
  auto prepared = prepare(workload, seed);
  if (failed(prepared)) {
    std::string message = diagnostics.take("cannot make the arguments");
    for (Contender &contender : contenders)
      if (contender.isLive())
        contender.ruleOut(Status::Failed, message);
    return;
  }
  std::vector<ReferenceTensor> &arguments = prepared->second;
  std::vector<std::optional<std::vector<ReferenceTensor>>> all;
  for (Contender &contender : contenders)
    all.push_back(contender.isLive() ? runOnce(contender, arguments, workload)
                                     : std::nullopt);
  if (contenders.front().isLive())
    compareAll(all, *all.front(),
               "disagrees with the incumbent at " + workload.name,
               /*skipIncumbent=*/true);
  time();
}

void Measurement::time() {
  // After the checked run, which warmed every kernel up, one timed run
  // each estimates the run time.
  double longest = 0.0;
  for (Contender &contender : contenders) {
    if (!contender.isLive())
      continue;
    llvm::Expected<std::vector<double>> estimate = contender.runner->time(0, 1);
    if (!estimate) {
      contender.ruleOut(Status::Failed, llvm::toString(estimate.takeError()));
      continue;
    }
    longest = std::max(longest, estimate->front());
  }
  double wanted =
      std::ceil(job.secondsPerMeasurement / std::max(longest, 1e-9));
  unsigned repetitions = static_cast<unsigned>(
      std::clamp(wanted, double(job.minRepetitions),
                 double(std::max(job.minRepetitions, job.maxRepetitions))));
  // Rounds of one block per contender, so that each block follows a block
  // of another contender as often as the others do. Every runner has a
  // thread pool of its own, whose workers spin for a while after a loop:
  // a pause lets the previous block's workers sleep, and for short kernels,
  // which waking them would slow down, an untimed run wakes the next
  // block's.
  unsigned rounds = std::min(repetitions, 10u);
  unsigned block = (repetitions + rounds - 1) / rounds;
  unsigned wakeUpRuns = longest < kLongestWithWakeUpRun ? 1 : 0;
  std::vector<std::vector<double>> samples(contenders.size());
  CpuContentionMeter contention;
  for (unsigned round = 0; round < rounds; ++round) {
    for (auto [contender, contenderSamples] :
         llvm::zip_equal(contenders, samples)) {
      if (!contender.isLive())
        continue;
      std::this_thread::sleep_for(kPauseBetweenBlocks);
      llvm::Expected<std::vector<double>> seconds =
          contender.runner->time(wakeUpRuns, block);
      if (!seconds) {
        contender.ruleOut(Status::Failed, llvm::toString(seconds.takeError()));
        continue;
      }
      llvm::append_range(contenderSamples, *seconds);
    }
  }
  busyCpus = std::max(busyCpus, contention.getBusyCpus().value_or(0.0));
  for (auto [contender, contenderSamples] :
       llvm::zip_equal(contenders, samples)) {
    if (!contender.isLive())
      continue;
    contender.measurement.medianSeconds.push_back(median(contenderSamples));
    contender.measurement.repetitions = contenderSamples.size();
  }
}

MeasureResult Measurement::run() {
  if (std::optional<std::string> error = loadProbe())
    return failAll(*error);
  buildKernels();
  injectProcessFault();
  checkAgainstReference();
  for (auto [index, workload] : llvm::enumerate(job.workloads)) {
    if (!contenders.front().isLive())
      break;
    measure(workload, job.seed + index + 1);
  }
  MeasureResult result;
  result.busyCpus = busyCpus;
  const Contender &incumbent = contenders.front();
  for (const Contender &contender : contenders) {
    ScheduleMeasurement measurement = contender.measurement;
    // Without the incumbent, nothing is known of the others either.
    if (contender.isChallenger && contender.isLive() && !incumbent.isLive())
      measurement = {Status::Failed, "the incumbent failed", {}, 0};
    result.schedules.push_back(std::move(measurement));
  }
  return result;
}

MeasureResult runMeasureJob(const MeasureJob &job) {
  return Measurement(job).run();
}

int runMeasureWorker(llvm::raw_ostream &os) {
  auto fail = [](const llvm::Twine &message) {
    llvm::WithColor::error(llvm::errs(), "kiln-tune worker") << message << "\n";
    return 1;
  };
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> input =
      llvm::MemoryBuffer::getSTDIN();
  if (!input)
    return fail("cannot read the job: " + input.getError().message());
  llvm::Expected<llvm::json::Value> value =
      llvm::json::parse((*input)->getBuffer());
  if (!value)
    return fail("cannot parse the job: " + llvm::toString(value.takeError()));
  llvm::Expected<MeasureJob> job = MeasureJob::fromJSON(*value);
  if (!job)
    return fail("cannot read the job: " + llvm::toString(job.takeError()));
  os << runMeasureJob(*job).toJSON() << "\n";
  os.flush();
  return 0;
}

} // namespace kiln
