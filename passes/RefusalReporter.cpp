//===- RefusalReporter.cpp - Match failures as remarks --------------------===//

#include "passes/RefusalReporter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

using namespace mlir;
using namespace kiln;

void RefusalReporter::notifyMatchFailure(
    Location loc, function_ref<void(Diagnostic &)> reasonCallback) {
  Diagnostic reason(loc, DiagnosticSeverity::Remark);
  reasonCallback(reason);
  std::string text = reason.str();
  if (!reported.emplace(loc.getAsOpaquePointer(), text).second)
    return;
  emitRemark(loc) << passName << ": " << refusal << ": " << text;
}

LogicalResult kiln::applyPatternsReportingRefusals(Operation *op,
                                                   RewritePatternSet &&patterns,
                                                   StringRef passName,
                                                   StringRef refusal,
                                                   bool reportRefusals) {
  RefusalReporter reporter(passName, refusal);
  GreedyRewriteConfig config;
  if (reportRefusals)
    config.listener = &reporter;
  return applyPatternsAndFoldGreedily(op, std::move(patterns), config);
}
