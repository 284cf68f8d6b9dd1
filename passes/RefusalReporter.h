//===- RefusalReporter.h - Match failures as remarks ------------*- C++ -*-===//
//
// Patterns explain why they do not apply with `notifyMatchFailure`. Debian's
// LLVM is built without assertions, so `-debug` cannot show those reasons;
// this rewriter listener turns them into remarks on the op instead, once per
// op and reason, for passes run with `report-refusals`. The fusion passes
// all drive their patterns through `applyFusionPatterns`.
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
/// "<passName>: not fused: <reason>" at the op's location.
class RefusalReporter : public mlir::RewriterBase::Listener {
public:
  explicit RefusalReporter(llvm::StringRef passName) : passName(passName) {}

  void
  notifyMatchFailure(mlir::Location loc,
                     llvm::function_ref<void(mlir::Diagnostic &)> reasonCallback)
      override;

private:
  std::string passName;
  /// Reasons already reported, keyed by location, so that the greedy
  /// driver's repeated visits do not repeat remarks.
  std::set<std::pair<const void *, std::string>> reported;
};

/// Applies `patterns` greedily to `op`; with `reportRefusals`, every
/// distinct `notifyMatchFailure` reason becomes a remark prefixed by
/// `passName`.
mlir::LogicalResult applyFusionPatterns(mlir::Operation *op,
                                        mlir::RewritePatternSet &&patterns,
                                        llvm::StringRef passName,
                                        bool reportRefusals);

} // namespace kiln

#endif // KILN_PASSES_REFUSALREPORTER_H
