//===- RefusalReporter.h - Match failures as remarks ------------*- C++ -*-===//
//
// Patterns explain why they do not apply with `notifyMatchFailure`. Debian's
// LLVM is built without assertions, so `-debug` cannot show those reasons;
// this rewriter listener turns them into remarks on the op instead, once per
// op and reason, for passes run with `report-refusals`. The graph passes
// all drive their patterns through `applyPatternsReportingRefusals`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_REFUSALREPORTER_H
#define KILN_PASSES_REFUSALREPORTER_H

#include "mlir/IR/PatternMatch.h"

#include <set>
#include <string>
#include <utility>

namespace kiln {

/// Emits each distinct `notifyMatchFailure` reason as a remark
/// "<passName>: <refusal>: <reason>" at the op's location, where `refusal`
/// says what did not happen ("not fused").
class RefusalReporter : public mlir::RewriterBase::Listener {
public:
  RefusalReporter(llvm::StringRef passName, llvm::StringRef refusal)
      : passName(passName), refusal(refusal) {}

  void notifyMatchFailure(
      mlir::Location loc,
      llvm::function_ref<void(mlir::Diagnostic &)> reasonCallback) override;

private:
  std::string passName;
  std::string refusal;
  /// Reasons already reported, keyed by location, so that the greedy
  /// driver's repeated visits do not repeat remarks.
  std::set<std::pair<const void *, std::string>> reported;
};

/// Applies `patterns` greedily to `op`; with `reportRefusals`, every
/// distinct `notifyMatchFailure` reason becomes a remark prefixed by
/// `passName` and `refusal`.
mlir::LogicalResult applyPatternsReportingRefusals(
    mlir::Operation *op, mlir::RewritePatternSet &&patterns,
    llvm::StringRef passName, llvm::StringRef refusal, bool reportRefusals);

} // namespace kiln

#endif // KILN_PASSES_REFUSALREPORTER_H
