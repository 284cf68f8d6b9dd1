//===- kiln-tune.cpp - Find the fastest kernel schedules of a model -------===//
//
// Lists the distinct kernels of a compiled model, searches each one's
// schedule space within a time budget, measuring every candidate in a
// worker process against the incumbent and the fp64 reference, and keeps
// the fastest schedules in a tuning database that kiln-compile reads. See
// docs/tuning.md.
//
// The same binary is the worker: with the hidden `--measure-worker` it
// reads one measurement job on standard input and writes the result on
// standard output (codegen/tuning/MeasureWorker.h).
//
//===----------------------------------------------------------------------===//

#include "ModelLoader.h"
#include "RecordListing.h"

#include "codegen/tuning/KernelProbe.h"
#include "codegen/tuning/MeasureWorker.h"
#include "codegen/tuning/ShapeBucket.h"
#include "codegen/tuning/Tuner.h"
#include "codegen/tuning/TuningDatabase.h"
#include "dialect/KilnDialect.h"
#include "frontend/MLIRGen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/WithColor.h"

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace cl = llvm::cl;

/// The options of this tool, which --help shows without LLVM's.
static cl::OptionCategory tuneCategory("kiln-tune options");

static cl::opt<std::string>
    inputFilename(cl::Positional,
                  cl::desc("<spec.yaml|config.json|module.mlir>"),
                  cl::cat(tuneCategory));

static cl::opt<std::string>
    budget("budget",
           cl::desc("Time for the whole run: seconds, or with a unit: 90s, "
                    "10m, 1h (default 10m)"),
           cl::value_desc("time"), cl::init("10m"), cl::cat(tuneCategory));

static cl::opt<std::string>
    databasePath("db",
                 cl::desc("The tuning database (default: $XDG_CACHE_HOME/kiln/"
                          "tuning.jsonl, else ~/.cache/kiln/tuning.jsonl)"),
                 cl::value_desc("file"), cl::cat(tuneCategory));

static cl::opt<bool> show("show", cl::desc("List the database's records"),
                          cl::cat(tuneCategory));

static cl::list<std::string>
    mergeFiles("merge",
               cl::desc("Merge the records of this database into "
                        "--db (may be repeated)"),
               cl::value_desc("file"), cl::cat(tuneCategory));

static cl::opt<bool>
    retune("retune", cl::desc("Tune kernels again even when they have records"),
           cl::cat(tuneCategory));

static cl::opt<std::string> targetCpu(
    "target-cpu",
    cl::desc("CPU features the kernels may use: host (detected), avx512, "
             "avx2 or sse41"),
    cl::init("host"), cl::cat(tuneCategory));

// LLVM has a `--threads` option of its own.
static cl::opt<int> numThreads(
    "num-threads",
    cl::desc("Threads to run kernels on, 0 for one per available CPU (as "
             "compiled models do by default)"),
    cl::init(0), cl::cat(tuneCategory));

static cl::opt<std::string> bucketText(
    "bucket",
    cl::desc("Run-time sizes to tune for, e.g. 'batch=1;seq=128,512' "
             "(default: that, with each size clamped to the model's maximum)"),
    cl::value_desc("sizes"), cl::cat(tuneCategory));

static cl::opt<unsigned> maxCandidates(
    "max-candidates",
    cl::desc("Measure at most this many candidates per kernel (0: no limit)"),
    cl::init(0), cl::cat(tuneCategory));

static cl::list<std::string>
    kernelFilters("kernel",
                  cl::desc("Tune only kernels whose name or signature "
                           "contains this text (may be repeated)"),
                  cl::value_desc("text"), cl::cat(tuneCategory));

static cl::opt<double>
    timeout("timeout",
            cl::desc("Kill a worker after this many seconds (default: "
                     "from the kernel's time)"),
            cl::value_desc("seconds"), cl::cat(tuneCategory));

static cl::opt<double> measureSeconds(
    "measure-seconds",
    cl::desc("Timed seconds per schedule and size of each measurement"),
    cl::init(kiln::TunerOptions().secondsPerMeasurement),
    cl::cat(tuneCategory));

static cl::opt<double> maxBusyCpus(
    "max-busy-cpus",
    cl::desc("Do not trust a measurement that makes a candidate win while "
             "other processes keep more than this many of the CPUs busy"),
    cl::init(kiln::TunerOptions().maxBusyCpus), cl::cat(tuneCategory));

static cl::opt<uint64_t>
    seed("seed", cl::desc("Seed of the search and of the kernels' inputs"),
         cl::init(1), cl::cat(tuneCategory));

static cl::opt<bool> measureWorker(
    "measure-worker",
    cl::desc("Run as a worker: one job on stdin, its result on stdout"),
    cl::Hidden, cl::cat(tuneCategory));

static cl::opt<unsigned> testCrashCandidate(
    "test-crash-candidate",
    cl::desc("Test only: the worker of candidate N of each kernel aborts"),
    cl::Hidden, cl::init(0), cl::cat(tuneCategory));

static cl::opt<unsigned> testHangCandidate(
    "test-hang-candidate",
    cl::desc("Test only: the worker of candidate N of each kernel hangs"),
    cl::Hidden, cl::init(0), cl::cat(tuneCategory));

static cl::opt<unsigned> testWrongOutputCandidate(
    "test-wrong-output-candidate",
    cl::desc("Test only: candidate N of each kernel computes wrong results"),
    cl::Hidden, cl::init(0), cl::cat(tuneCategory));

/// Set by the first Ctrl-C (or SIGTERM); a second one ends the process.
static volatile std::sig_atomic_t interrupted = 0;

static void onInterrupt() { interrupted = 1; }

/// Reports an error as `kiln-tune: error: ...`; returns the exit status.
static int failWith(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "kiln-tune") << message << "\n";
  return 1;
}

/// Parses `--budget`: seconds, or a number with the unit s, m or h.
static std::optional<double> parseBudget(llvm::StringRef text) {
  double scale = 1;
  if (text.consume_back("h"))
    scale = 3600;
  else if (text.consume_back("m"))
    scale = 60;
  else
    text.consume_back("s");
  double value;
  if (text.getAsDouble(value) || value < 0)
    return std::nullopt;
  return value * scale;
}

/// Whether the `--kernel` filters select `kernel`.
static bool isSelected(const kiln::TuningKernel &kernel) {
  if (kernelFilters.empty())
    return true;
  return llvm::any_of(kernelFilters, [&](const std::string &filter) {
    return llvm::StringRef(kernel.name).contains(filter) ||
           llvm::StringRef(kernel.key).contains(filter);
  });
}

/// The bucket of `--bucket`, or the module's default.
static llvm::Expected<kiln::ShapeBucket> getBucket(mlir::ModuleOp module) {
  if (bucketText.empty())
    return kiln::getDefaultShapeBucket(module);
  return kiln::ShapeBucket::parse(bucketText);
}

/// The test faults of the hidden options.
static std::map<unsigned, kiln::TestFault> getTestFaults() {
  std::map<unsigned, kiln::TestFault> faults;
  if (testCrashCandidate)
    faults[testCrashCandidate] = kiln::TestFault::Crash;
  if (testHangCandidate)
    faults[testHangCandidate] = kiln::TestFault::Hang;
  if (testWrongOutputCandidate)
    faults[testWrongOutputCandidate] = kiln::TestFault::WrongOutput;
  return faults;
}

/// Merges the `--merge` databases into `database` and saves it at `path`.
static int mergeDatabases(kiln::TuningDatabase &database,
                          llvm::StringRef path) {
  for (const std::string &file : mergeFiles) {
    // A missing database loads as an empty one, which is not what a merge
    // of it means.
    if (!llvm::sys::fs::exists(file))
      return failWith("cannot merge '" + file + "': no such file");
    std::vector<std::string> warnings;
    llvm::Expected<kiln::TuningDatabase> other =
        kiln::TuningDatabase::load(file, warnings);
    for (const std::string &warning : warnings)
      llvm::WithColor::warning(llvm::errs(), "kiln-tune") << warning << "\n";
    if (!other)
      return failWith(llvm::toString(other.takeError()));
    unsigned kept = database.merge(*other);
    llvm::outs() << "kiln-tune: merged " << kept << " of "
                 << other->getRecords().size() << " records of '" << file
                 << "' into '" << path << "'\n";
  }
  if (llvm::Error error = database.save(path))
    return failWith(llvm::toString(std::move(error)));
  return 0;
}

/// Tunes the model of `inputFilename`, updating `database` at `path`.
static int tuneModel(kiln::TuningDatabase &database, llvm::StringRef path,
                     const char *argv0) {
  std::optional<double> budgetSeconds = parseBudget(budget);
  if (!budgetSeconds)
    return failWith("expected --budget to be seconds or a number with the "
                    "unit s, m or h, got '" +
                    budget + "'");
  mlir::MLIRContext context;
  context.loadDialect<kiln::KilnDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      kiln::loadGraphModule(inputFilename, context, sourceMgr);
  if (!module)
    return 1;
  mlir::FailureOr<mlir::func::FuncOp> forward =
      kiln::getForwardFunction(*module);
  if (mlir::failed(forward))
    return 1;
  llvm::Expected<kiln::ShapeBucket> bucket = getBucket(*module);
  if (!bucket)
    return failWith(llvm::toString(bucket.takeError()));
  mlir::FailureOr<std::vector<kiln::TuningKernel>> kernels =
      kiln::collectTuningKernels(*forward, *bucket,
                                 kiln::getCheckWorkload(*module, *bucket));
  if (mlir::failed(kernels))
    return 1;
  std::vector<kiln::TuningKernel> selected;
  llvm::copy_if(*kernels, std::back_inserter(selected), isSelected);
  if (selected.empty())
    return failWith("no kernel matches --kernel");

  kiln::TunerOptions options;
  options.databasePath = path.str();
  options.bucket = *bucket;
  options.targetCpu = targetCpu;
  options.threads = numThreads;
  options.budgetSeconds = *budgetSeconds;
  options.maxCandidates = maxCandidates;
  options.retune = retune;
  if (timeout.getNumOccurrences())
    options.timeoutSeconds = timeout;
  options.secondsPerMeasurement = measureSeconds;
  options.maxBusyCpus = maxBusyCpus;
  options.seed = seed;
  options.testFaults = getTestFaults();
  options.worker.program = llvm::sys::fs::getMainExecutable(
      argv0, reinterpret_cast<void *>(&failWith));
  options.worker.arguments = {options.worker.program, "--measure-worker"};

  llvm::sys::SetInterruptFunction(onInterrupt);
  kiln::ProgressDisplay display(llvm::errs(),
                                llvm::sys::Process::StandardErrIsDisplayed());
  kiln::Tuner tuner(std::move(options), display,
                    [] { return interrupted != 0; });
  llvm::Expected<kiln::TuningReport> report = tuner.run(selected, database);
  if (!report)
    return failWith(llvm::toString(report.takeError()));
  report->print(llvm::outs());
  llvm::outs() << "kiln-tune: database '" << path << "'\n";
  if (report->interrupted) {
    llvm::outs().flush();
    llvm::errs() << "kiln-tune: interrupted; what was measured is saved, run "
                    "again to resume\n";
    return 130;
  }
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(tuneCategory);
  cl::ParseCommandLineOptions(
      argc, argv,
      "Kiln autotuner: finds the fastest kernel schedules of a model on this "
      "machine\n");
  if (measureWorker) {
    // A worker must not outlive the tuner, whose Ctrl-C it does not see.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    // Halide's autoschedulers print to standard output: the result keeps a
    // descriptor of its own, and everything else goes to standard error.
    int resultFd = dup(STDOUT_FILENO);
    dup2(STDERR_FILENO, STDOUT_FILENO);
    llvm::raw_fd_ostream result(resultFd, /*shouldClose=*/true);
    return kiln::runMeasureWorker(result);
  }

  std::string path = databasePath.empty() ? kiln::getDefaultTuningDatabasePath()
                                          : databasePath;
  if (path.empty())
    return failWith("no cache directory is known (set XDG_CACHE_HOME or HOME), "
                    "name a database with --db");
  std::vector<std::string> warnings;
  llvm::Expected<kiln::TuningDatabase> database =
      kiln::TuningDatabase::load(path, warnings);
  for (const std::string &warning : warnings)
    llvm::WithColor::warning(llvm::errs(), "kiln-tune") << warning << "\n";
  if (!database)
    return failWith(llvm::toString(database.takeError()));

  if (!mergeFiles.empty())
    if (int status = mergeDatabases(*database, path))
      return status;
  if (show)
    kiln::printRecords(*database, path, llvm::outs());
  if (inputFilename.empty()) {
    if (show || !mergeFiles.empty())
      return 0;
    return failWith("expected a model (spec.yaml, config.json or .mlir), or "
                    "--show or --merge");
  }
  return tuneModel(*database, path, argv[0]);
}
