//===- kiln-compile.cpp - Kiln's compiler driver --------------------------===//
//
// Compiles a model description (a Kiln YAML spec or a Hugging Face
// `config.json`, or kiln IR in a `.mlir` file) as far as `--emit` asks and
// writes the result. The levels
// are ordered by how far the model is lowered: the parsed ModelSpec, the
// unfused kiln IR, and the IR after the graph pipeline (fused and
// memory-planned).
//
// For compiler engineers the driver exposes the pipeline: IR printing
// before/after chosen passes, one numbered dump file per pass, pass timing,
// and a numerics bisection that evaluates the IR after every pass with the
// fp64 reference evaluator. MLIR's own context, printer and pass-manager
// options are registered too (`--mlir-print-debuginfo` shows every op's name
// scope and spec line).
//
// Native builds take kernel schedules from kiln-tune's tuning database when
// it has records for this machine (`--tuning-db`, `--no-tuning`,
// `--explain-schedules`; see docs/tuning.md).
//
//===----------------------------------------------------------------------===//

#include "IRDumpInstrumentation.h"
#include "NativeBuild.h"
#include "NumericsBisection.h"

#include "frontend/MLIRGen.h"
#include "frontend/ModelSpecPrinter.h"
#include "frontend/SpecLoader.h"
#include "frontend/SpecOverrides.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"
#include "test/lib/TestPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

namespace cl = llvm::cl;

namespace {

/// What to emit, ordered by how far the model is lowered.
enum class EmitLevel {
  /// The ModelSpec after parsing, validation and family defaults.
  Spec,
  /// The unfused kiln IR that MLIRGen builds.
  Mlir,
  /// The kiln IR after the graph pipeline (or `--pipeline`): fused and
  /// memory-planned.
  Graph,
  /// The host code as LLVM IR.
  Llvm,
  /// One relocatable object: kernels, Halide runtime and host code.
  Obj,
  /// A native executable linked with Kiln's runtime.
  Exe,
  /// A shared library with the runtime's C API, and a C header.
  Lib,
};

} // namespace

static cl::OptionCategory compileCategory("Compile options",
                                          "What to build and for which CPU");

static cl::OptionCategory
    inspectionCategory("IR inspection options",
                       "See what each pass of the pipeline does");

static cl::opt<std::string>
    inputFilename(cl::Positional, cl::Required,
                  cl::desc("<spec.yaml|config.json|module.mlir>"),
                  cl::cat(compileCategory));

static cl::opt<std::string> outputFilename("o", cl::desc("Output filename"),
                                           cl::value_desc("filename"),
                                           cl::init("-"),
                                           cl::cat(compileCategory));

static cl::opt<EmitLevel> emitLevel(
    "emit",
    cl::desc(
        "How far to lower the model (default: from the -o extension: "
        ".mlir graph, .ll llvm, .o obj, .so lib, other files exe; graph on "
        "stdout)"),
    cl::values(
        clEnumValN(EmitLevel::Spec, "spec",
                   "the parsed model spec with its defaults"),
        clEnumValN(EmitLevel::Mlir, "mlir", "the unfused kiln IR"),
        clEnumValN(EmitLevel::Graph, "graph",
                   "the kiln IR after the graph pipeline (fused, with the "
                   "memory plan)"),
        clEnumValN(EmitLevel::Llvm, "llvm", "the host code as LLVM IR"),
        clEnumValN(EmitLevel::Obj, "obj",
                   "one object file with the kernels and the host code"),
        clEnumValN(EmitLevel::Exe, "exe",
                   "a native executable linked with Kiln's runtime"),
        clEnumValN(EmitLevel::Lib, "lib",
                   "a shared library with Kiln's C API, and a C header")),
    cl::cat(compileCategory));

static cl::opt<std::string> targetCpu(
    "target-cpu",
    cl::desc("CPU features the kernels may use: host (detected), avx512, "
             "avx2 or sse41"),
    cl::init("host"), cl::cat(compileCategory));

static cl::OptionCategory
    tuningCategory("Tuning options",
                   "Use the schedules that kiln-tune found (docs/tuning.md)");

static cl::opt<std::string> tuningDatabase(
    "tuning-db",
    cl::desc("Tuning database to take kernel schedules from (default: "
             "$XDG_CACHE_HOME/kiln/tuning.jsonl, else "
             "~/.cache/kiln/tuning.jsonl)"),
    cl::value_desc("file"), cl::cat(tuningCategory));

static cl::opt<bool>
    noTuning("no-tuning",
             cl::desc("Ignore tuning databases: every kernel gets its default "
                      "schedule"),
             cl::cat(tuningCategory));

static cl::opt<std::string> tuningBucket(
    "tuning-bucket",
    cl::desc("Use records tuned for these run-time sizes, e.g. "
             "'batch=1;seq=128,512' (default: as kiln-tune's default)"),
    cl::value_desc("sizes"), cl::cat(tuningCategory));

static cl::opt<bool> explainSchedules(
    "explain-schedules",
    cl::desc("Print the schedule of every kernel: the tuning record used or "
             "the default, and why other records were skipped"),
    cl::cat(tuningCategory));

static cl::opt<std::string> keepIntermediates(
    "keep-intermediates",
    cl::desc("Keep kernel and host objects in this directory"),
    cl::value_desc("directory"), cl::cat(compileCategory));

static cl::opt<std::string> pipeline(
    "pipeline",
    cl::desc("Run this textual pass pipeline instead of kiln-graph-pipeline "
             "at the graph level, e.g. "
             "'builtin.module(func.func(kiln-fuse-attention))'"),
    cl::value_desc("pipeline"), cl::cat(inspectionCategory));

static cl::opt<bool> printIRAfterAll("print-ir-after-all",
                                     cl::desc("Print the IR after every pass"),
                                     cl::cat(inspectionCategory));

static cl::list<std::string> printIRBefore(
    "print-ir-before", cl::desc("Print the IR before the named passes"),
    cl::value_desc("pass"), cl::CommaSeparated, cl::cat(inspectionCategory));

static cl::list<std::string> printIRAfter(
    "print-ir-after", cl::desc("Print the IR after the named passes"),
    cl::value_desc("pass"), cl::CommaSeparated, cl::cat(inspectionCategory));

static cl::opt<bool> printIRAfterChange(
    "print-ir-after-change",
    cl::desc("With the other printing options: print only when the pass "
             "changed the IR"),
    cl::cat(inspectionCategory));

static cl::opt<std::string> irDumpDir(
    "ir-dump-dir",
    cl::desc("Write the IR before the pipeline and after each pass to "
             "numbered files in this directory"),
    cl::value_desc("directory"), cl::cat(inspectionCategory));

static cl::opt<bool> elideWeights(
    "elide-weights",
    cl::desc("Elide large constant tensors when printing IR, so that dumps "
             "stay small"),
    cl::cat(inspectionCategory));

static cl::opt<bool> passTiming("pass-timing",
                                cl::desc("Report the time of every pass"),
                                cl::cat(inspectionCategory));

static cl::opt<bool> verifyNumerics(
    "verify-numerics",
    cl::desc("Evaluate the IR after every pass with the fp64 reference "
             "evaluator on seeded random inputs and report the first pass "
             "that changes the results"),
    cl::cat(inspectionCategory));

static cl::opt<uint64_t> verifySeed("verify-seed",
                                    cl::desc("Seed of --verify-numerics"),
                                    cl::init(0), cl::cat(inspectionCategory));

static cl::opt<int64_t>
    verifySeqLen("verify-seq-len",
                 cl::desc("Sequence length of --verify-numerics inputs"),
                 cl::init(8), cl::cat(inspectionCategory));

static cl::opt<double> verifyAbsTolerance(
    "verify-abs-tolerance",
    cl::desc("Absolute part of the --verify-numerics tolerance"),
    cl::init(kiln::NumericsOptions().absTolerance),
    cl::cat(inspectionCategory));

static cl::opt<double> verifyRelTolerance(
    "verify-rel-tolerance",
    cl::desc("Relative part of the --verify-numerics tolerance"),
    cl::init(kiln::NumericsOptions().relTolerance),
    cl::cat(inspectionCategory));

static cl::opt<int64_t> verifyBatch(
    "verify-batch",
    cl::desc("Batch size of --verify-numerics inputs when the batch is "
             "dynamic"),
    cl::init(1), cl::cat(inspectionCategory));

/// The level that `-o output` implies, as a C compiler driver decides by
/// extension: IR and object files by theirs, an executable otherwise.
static EmitLevel defaultEmitLevel(llvm::StringRef output) {
  if (output == "-" || output.ends_with(".mlir"))
    return EmitLevel::Graph;
  if (output.ends_with(".ll"))
    return EmitLevel::Llvm;
  if (output.ends_with(".o"))
    return EmitLevel::Obj;
  if (output.ends_with(".so"))
    return EmitLevel::Lib;
  return EmitLevel::Exe;
}

/// Reports a problem that has no place in the spec as `kiln-compile: error:`.
static int failWith(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "kiln-compile") << message << "\n";
  return 1;
}

/// How IR is printed by this tool: MLIR's printer flags from the command
/// line, plus `--elide-weights`.
static mlir::OpPrintingFlags printingFlags() {
  mlir::OpPrintingFlags flags;
  if (elideWeights)
    flags.elideLargeElementsAttrs(16);
  return flags;
}

/// Turns on the IR printing that the inspection options ask for.
static void configureIRPrinting(mlir::PassManager &pm) {
  if (!printIRAfterAll && printIRBefore.empty() && printIRAfter.empty())
    return;
  auto named = [](const cl::list<std::string> &names) {
    return [&names](mlir::Pass *pass, mlir::Operation *) {
      return llvm::is_contained(names, pass->getArgument());
    };
  };
  std::function<bool(mlir::Pass *, mlir::Operation *)> after =
      named(printIRAfter);
  if (printIRAfterAll)
    after = [](mlir::Pass *, mlir::Operation *) { return true; };
  pm.enableIRPrinting(named(printIRBefore), after, /*printModuleScope=*/true,
                      /*printAfterOnlyOnChange=*/printIRAfterChange,
                      /*printAfterOnlyOnFailure=*/false, llvm::errs(),
                      printingFlags());
}

/// Formats a byte count with a binary unit: `512 B`, `1.50 KiB`, `3.25 MiB`.
static std::string formatBytes(int64_t bytes) {
  std::string text;
  llvm::raw_string_ostream os(text);
  if (bytes < 1024)
    os << bytes << " B";
  else if (bytes < 1024 * 1024)
    os << llvm::format("%.2f KiB", bytes / 1024.0);
  else
    os << llvm::format("%.2f MiB", bytes / (1024.0 * 1024.0));
  return text;
}

/// Prints the memory plan that kiln-plan-memory recorded on each function.
static void reportMemoryPlan(mlir::ModuleOp module) {
  module.walk([](mlir::func::FuncOp func) {
    auto arena = func->getAttrOfType<mlir::IntegerAttr>("kiln.arena_size");
    auto unshared =
        func->getAttrOfType<mlir::IntegerAttr>("kiln.arena_unshared_size");
    if (!arena || !unshared)
      return;
    double saved =
        unshared.getInt()
            ? 100.0 * (1.0 - double(arena.getInt()) / double(unshared.getInt()))
            : 0.0;
    llvm::errs() << "kiln-compile: memory plan of @" << func.getSymName()
                 << ": arena " << formatBytes(arena.getInt())
                 << " (one buffer per tensor: "
                 << formatBytes(unshared.getInt()) << ", "
                 << llvm::format("%.1f%%", saved) << " saved)\n";
  });
}

/// Runs the graph pipeline on `module` with the inspection options.
static mlir::LogicalResult runGraphPipeline(mlir::ModuleOp module) {
  mlir::MLIRContext *context = module.getContext();
  mlir::PassManager pm(context);
  if (mlir::failed(mlir::applyPassManagerCLOptions(pm)))
    return mlir::failure();
  if (pipeline.empty()) {
    kiln::buildGraphPipeline(pm);
  } else {
    mlir::FailureOr<mlir::OpPassManager> parsed =
        mlir::parsePassPipeline(pipeline, llvm::errs());
    if (mlir::failed(parsed))
      return module.emitError()
             << "cannot parse --pipeline='" << pipeline << "'";
    if (parsed->getOpAnchorName() != mlir::ModuleOp::getOperationName())
      return module.emitError()
             << "expected --pipeline to run on 'builtin.module', got '"
             << parsed->getOpAnchorName() << "'";
    static_cast<mlir::OpPassManager &>(pm) = *parsed;
  }

  bool inspectsEveryPass = printIRAfterAll || !printIRBefore.empty() ||
                           !printIRAfter.empty() || !irDumpDir.empty() ||
                           verifyNumerics;
  // Printing the whole module after a nested pass, or evaluating it, must
  // not race with the same pass on other functions.
  if (inspectsEveryPass)
    context->disableMultithreading();
  configureIRPrinting(pm);
  if (passTiming)
    pm.enableTiming();

  if (!irDumpDir.empty()) {
    auto dumper = std::make_unique<kiln::IRDumpInstrumentation>(
        irDumpDir, printingFlags());
    if (mlir::failed(dumper->dumpInput(module)))
      return mlir::failure();
    pm.addInstrumentation(std::move(dumper));
  }
  kiln::NumericsBisection *bisection = nullptr;
  if (verifyNumerics) {
    kiln::NumericsOptions options;
    options.seed = verifySeed;
    options.dynamicSizes = {verifyBatch, verifySeqLen};
    options.absTolerance = verifyAbsTolerance;
    options.relTolerance = verifyRelTolerance;
    auto instrumentation =
        std::make_unique<kiln::NumericsBisection>(options, llvm::errs());
    if (mlir::failed(instrumentation->recordBaseline(module)))
      return mlir::failure();
    bisection = instrumentation.get();
    pm.addInstrumentation(std::move(instrumentation));
  }

  if (mlir::failed(pm.run(module)))
    return mlir::failure();
  reportMemoryPlan(module);
  if (bisection && mlir::failed(bisection->finish()))
    return mlir::failure();
  return mlir::success();
}

/// Lowers `module` as far as `--emit` asks and prints it.
static int emitIR(mlir::ModuleOp module, llvm::raw_ostream &os) {
  if (emitLevel == EmitLevel::Mlir)
    module->print(os, printingFlags());
  if (emitLevel >= EmitLevel::Graph || verifyNumerics)
    if (mlir::failed(runGraphPipeline(module)))
      return 1;
  if (emitLevel <= EmitLevel::Graph) {
    if (emitLevel == EmitLevel::Graph)
      module->print(os, printingFlags());
    os << "\n";
    return 0;
  }
  kiln::NativeBuildOptions options;
  options.stage = emitLevel == EmitLevel::Llvm  ? kiln::NativeStage::LlvmIR
                  : emitLevel == EmitLevel::Obj ? kiln::NativeStage::Object
                  : emitLevel == EmitLevel::Lib
                      ? kiln::NativeStage::SharedLibrary
                      : kiln::NativeStage::Executable;
  options.outputPath = outputFilename;
  options.targetCpu = targetCpu;
  options.intermediatesDirectory = keepIntermediates;
  options.tuning.databasePath = tuningDatabase;
  options.tuning.useTuning = !noTuning;
  if (!tuningBucket.empty()) {
    llvm::Expected<kiln::ShapeBucket> bucket =
        kiln::ShapeBucket::parse(tuningBucket);
    if (!bucket)
      return failWith(llvm::toString(bucket.takeError()));
    options.tuning.bucket = *bucket;
  }
  options.explainSchedules = explainSchedules;
  return mlir::failed(kiln::buildNative(module, options, os)) ? 1 : 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  kiln::registerKilnPasses();
  kiln::registerKilnPipelines();
  kiln::test::registerTestPasses();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  kiln::registerSpecOverrideOptions();
  // LLVM's and MLIR's own options still parse, unlisted.
  cl::HideUnrelatedOptions({&compileCategory, &inspectionCategory,
                            &tuningCategory, &kiln::getSpecOverrideCategory()});
  cl::ParseCommandLineOptions(argc, argv, "Kiln Transformer compiler\n");
  if (!emitLevel.getNumOccurrences())
    emitLevel = defaultEmitLevel(outputFilename);
  if (emitLevel >= EmitLevel::Obj && outputFilename == "-")
    return failWith("--emit=obj, exe and lib need an output file (-o)");

  // A .mlir input is kiln IR already, as kiln-opt reads it: the driver
  // then starts at the `mlir` level.
  bool isIRInput = llvm::StringRef(inputFilename).ends_with(".mlir");
  if (isIRInput && emitLevel == EmitLevel::Spec)
    return failWith("--emit=spec needs a model spec, not an IR file");
  if (std::optional<llvm::StringRef> option = kiln::getGivenSpecOverride();
      isIRInput && option)
    return failWith(*option + " needs a model spec, not an IR file");

  llvm::SourceMgr sourceMgr;
  std::optional<kiln::ModelSpec> spec;
  if (!isIRInput) {
    spec = kiln::loadModelSpec(inputFilename, sourceMgr);
    if (!spec || !kiln::applySpecOverrides(*spec, sourceMgr))
      return 1;
  }

  std::string errorMessage;
  bool writesFile = emitLevel >= EmitLevel::Obj;
  std::unique_ptr<llvm::ToolOutputFile> output = mlir::openOutputFile(
      writesFile ? llvm::StringRef("-") : llvm::StringRef(outputFilename),
      &errorMessage);
  if (!output)
    return failWith(errorMessage);

  if (emitLevel == EmitLevel::Spec) {
    kiln::printModelSpec(*spec, output->os());
    output->keep();
    return 0;
  }

  mlir::MLIRContext context;
  context.loadDialect<kiln::KilnDialect, mlir::func::FuncDialect,
                      mlir::arith::ArithDialect>();
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module;
  if (isIRInput) {
    std::unique_ptr<llvm::MemoryBuffer> buffer =
        mlir::openInputFile(inputFilename, &errorMessage);
    if (!buffer)
      return failWith(errorMessage);
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    module = mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  } else {
    module = kiln::buildModule(*spec, context);
  }
  if (!module)
    return 1;
  if (int status = emitIR(*module, output->os()))
    return status;
  output->keep();
  return 0;
}
