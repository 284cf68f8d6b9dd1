//===- NumericsBisection.cpp - Find the pass that changes results ---------===//

#include "NumericsBisection.h"

#include "reference/ReferenceEvaluator.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "llvm/Support/Format.h"

#include <cmath>

using namespace mlir;
using namespace kiln;

NumericsBisection::NumericsBisection(NumericsOptions options,
                                     llvm::raw_ostream &report)
    : options(std::move(options)), report(report) {}

LogicalResult NumericsBisection::recordBaseline(ModuleOp module) {
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    FailureOr<std::vector<ReferenceTensor>> arguments =
        randomArguments(func, options.seed, options.dynamicSizes);
    if (failed(arguments))
      return failure();
    FailureOr<std::vector<ReferenceTensor>> results =
        evaluateFunction(func, *arguments);
    if (failed(results))
      return failure();
    baselines[func.getSymName()] = {std::move(*arguments),
                                    std::move(*results)};
  }
  return success();
}

void NumericsBisection::runAfterPass(Pass *pass, Operation *op) {
  if (pass->getArgument().empty())
    return;
  PassDeviation row{pass->getArgument().str()};
  if (auto func = dyn_cast<func::FuncOp>(op)) {
    compare(func, row);
  } else {
    op->walk([&](func::FuncOp func) { compare(func, row); });
  }
  rows.push_back(std::move(row));
}

void NumericsBisection::compare(func::FuncOp func, PassDeviation &row) {
  auto baseline = baselines.find(func.getSymName());
  if (baseline == baselines.end())
    return;
  FailureOr<std::vector<ReferenceTensor>> results =
      evaluateFunction(func, baseline->second.arguments);
  if (failed(results) ||
      results->size() != baseline->second.results.size()) {
    row.evaluated = false;
    row.withinTolerance = false;
    return;
  }
  for (auto [after, before] :
       llvm::zip_equal(*results, baseline->second.results)) {
    if (after.getShape() != before.getShape()) {
      row.evaluated = false;
      row.withinTolerance = false;
      return;
    }
    for (auto [a, b] : llvm::zip_equal(after.getElements(), before.getElements())) {
      double error = std::fabs(a - b);
      // NaN compares false: a NaN where there was a number is a failure.
      if (!(error <= options.absTolerance + options.relTolerance * std::fabs(b)))
        row.withinTolerance = false;
      if (!std::isnan(error))
        row.maxAbsError = std::max(row.maxAbsError, error);
    }
  }
}

LogicalResult NumericsBisection::finish() {
  report << "numerics after each pass (fp64 reference, seed " << options.seed
         << ", tolerance " << llvm::format("%g", options.absTolerance)
         << " + " << llvm::format("%g", options.relTolerance) << " * |x|):\n";
  const PassDeviation *firstFailure = nullptr;
  for (const PassDeviation &row : rows) {
    report << llvm::format("  %-32s ", row.pass.c_str());
    if (!row.evaluated)
      report << "cannot evaluate\n";
    else
      report << llvm::format("max abs error %.3e  %s\n", row.maxAbsError,
                             row.withinTolerance ? "ok" : "CHANGED");
    if (!row.withinTolerance && !firstFailure)
      firstFailure = &row;
  }
  if (!firstFailure)
    return success();
  report << "first pass beyond tolerance: " << firstFailure->pass << "\n";
  return failure();
}
