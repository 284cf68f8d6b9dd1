//===- kiln-compile.cpp - Kiln's compiler driver --------------------------===//
//
// Compiles a model description (a Kiln YAML spec or a Hugging Face
// `config.json`) as far as `--emit` asks and writes the result: the parsed
// ModelSpec, or the unfused kiln IR. The levels are ordered by how far the
// model is lowered, so deeper ones slot in after `mlir` as the pipeline
// grows. MLIR's context, printer and pass manager options are registered, so
// `--mlir-print-debuginfo` shows every op's name scope and spec line.
//
//===----------------------------------------------------------------------===//

#include "frontend/MLIRGen.h"
#include "frontend/ModelSpecPrinter.h"
#include "frontend/SpecLoader.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
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
};

} // namespace

static cl::opt<std::string> inputFilename(cl::Positional, cl::Required,
                                          cl::desc("<spec.yaml|config.json>"));

static cl::opt<std::string> outputFilename("o", cl::desc("Output filename"),
                                           cl::value_desc("filename"),
                                           cl::init("-"));

static cl::opt<EmitLevel> emitLevel(
    "emit", cl::desc("How far to lower the model"), cl::init(EmitLevel::Mlir),
    cl::values(clEnumValN(EmitLevel::Spec, "spec",
                          "the parsed model spec with its defaults"),
               clEnumValN(EmitLevel::Mlir, "mlir", "the unfused kiln IR")));

/// Reports a problem that has no place in the spec as `kiln-compile: error:`.
static int failWith(const llvm::Twine &message) {
  llvm::WithColor::error(llvm::errs(), "kiln-compile") << message << "\n";
  return 1;
}

/// Builds the kiln IR of `spec` and prints it; MLIR diagnostics are shown
/// against the spec's buffer in `sourceMgr`.
static int emitMlir(const kiln::ModelSpec &spec, llvm::SourceMgr &sourceMgr,
                    llvm::raw_ostream &os) {
  mlir::MLIRContext context;
  mlir::SourceMgrDiagnosticHandler diagnostics(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module = kiln::buildModule(spec, context);
  if (!module)
    return 1;
  module->print(os);
  os << "\n";
  return 0;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerAsmPrinterCLOptions();
  cl::ParseCommandLineOptions(argc, argv, "Kiln Transformer compiler\n");

  llvm::SourceMgr sourceMgr;
  std::optional<kiln::ModelSpec> spec =
      kiln::loadModelSpec(inputFilename, sourceMgr);
  if (!spec)
    return 1;

  std::string errorMessage;
  std::unique_ptr<llvm::ToolOutputFile> output =
      mlir::openOutputFile(outputFilename, &errorMessage);
  if (!output)
    return failWith(errorMessage);

  switch (emitLevel) {
  case EmitLevel::Spec:
    kiln::printModelSpec(*spec, output->os());
    break;
  case EmitLevel::Mlir:
    if (int status = emitMlir(*spec, sourceMgr, output->os()))
      return status;
    break;
  }
  output->keep();
  return 0;
}
