//===- NumericsBisection.h - Find the pass that changes results -*- C++ -*-===//
//
// `kiln-compile --verify-numerics`: evaluates every function of the module
// with the fp64 reference evaluator on seeded random inputs before the
// pipeline, again after every pass, and reports each pass's largest
// deviation from the original results. The first pass beyond tolerance is
// where a numerics bug was introduced.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILNCOMPILE_NUMERICSBISECTION_H
#define KILN_TOOLS_KILNCOMPILE_NUMERICSBISECTION_H

#include "reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace kiln {

/// Options of the numerics check.
struct NumericsOptions {
  uint64_t seed = 0;
  /// Sizes of dynamic dimensions by position ({batch, seq} for the
  /// frontend's inputs).
  std::vector<int64_t> dynamicSizes = {1, 8};
  /// A result element passes when |after - before| <= absTolerance +
  /// relTolerance * |before|. Rewrites that only reassociate fp64
  /// arithmetic stay orders of magnitude below these.
  double absTolerance = 1e-9;
  double relTolerance = 1e-7;
};

/// Re-evaluates the module after every pass and compares with the results
/// before the pipeline.
class NumericsBisection : public mlir::PassInstrumentation {
public:
  NumericsBisection(NumericsOptions options, llvm::raw_ostream &report);

  /// Evaluates every function of `module` on its random arguments and keeps
  /// the results as the baseline. Fails (with an error) if any function
  /// cannot be evaluated.
  mlir::LogicalResult recordBaseline(mlir::ModuleOp module);

  void runAfterPass(mlir::Pass *pass, mlir::Operation *op) override;

  /// Prints the table of deviations; fails if a pass exceeded the
  /// tolerance or broke evaluation.
  mlir::LogicalResult finish();

private:
  /// Arguments and baseline results of one function.
  struct FunctionBaseline {
    std::vector<ReferenceTensor> arguments;
    std::vector<ReferenceTensor> results;
  };

  /// One row of the report.
  struct PassDeviation {
    std::string pass;
    double maxAbsError = 0;
    bool withinTolerance = true;
    bool evaluated = true;
  };

  /// Evaluates `func` and records its deviation from the baseline in `row`.
  void compare(mlir::func::FuncOp func, PassDeviation &row);

  NumericsOptions options;
  llvm::raw_ostream &report;
  llvm::StringMap<FunctionBaseline> baselines;
  std::vector<PassDeviation> rows;
};

} // namespace kiln

#endif // KILN_TOOLS_KILNCOMPILE_NUMERICSBISECTION_H
