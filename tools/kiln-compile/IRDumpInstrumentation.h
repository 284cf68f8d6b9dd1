//===- IRDumpInstrumentation.h - One IR file per pass -----------*- C++ -*-===//
//
// Writes the module before the pipeline and after every pass into a
// directory, numbered in pipeline order (`00-input.mlir`,
// `01-canonicalize.mlir`, `02-kiln-fuse-attention.mlir`, ...), so that a
// user can diff consecutive files to see what each pass did.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILNCOMPILE_IRDUMPINSTRUMENTATION_H
#define KILN_TOOLS_KILNCOMPILE_IRDUMPINSTRUMENTATION_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/ADT/DenseMap.h"

#include <mutex>
#include <string>

namespace kiln {

/// Dumps the whole module after each pass. A pass that runs once per
/// function (nested under `func.func`) gets one file, rewritten after each
/// function, so the file ends up holding the module after the whole pass.
class IRDumpInstrumentation : public mlir::PassInstrumentation {
public:
  /// Dumps into `directory` (created if missing), printing with `flags`.
  IRDumpInstrumentation(std::string directory, mlir::OpPrintingFlags flags);

  /// Creates the directory and writes `00-input.mlir`; reports failures as
  /// errors on the module.
  mlir::LogicalResult dumpInput(mlir::ModuleOp module);

  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override;

private:
  /// Writes `module` to `<directory>/<NN>-<name>.mlir`.
  mlir::LogicalResult write(mlir::ModuleOp module, unsigned index,
                            llvm::StringRef name);

  std::string directory;
  mlir::OpPrintingFlags flags;
  /// File number of each pass seen so far (0 is the input).
  llvm::DenseMap<mlir::Pass *, unsigned> passIndex;
  /// Passes nested under functions may run on several threads.
  std::mutex mutex;
};

} // namespace kiln

#endif // KILN_TOOLS_KILNCOMPILE_IRDUMPINSTRUMENTATION_H
