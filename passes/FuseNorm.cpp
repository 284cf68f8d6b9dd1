//===- FuseNorm.cpp - Fuse residual adds into layer_norm and rms_norm -----===//
//
// Rewrites a norm of a residual sum,
//
//   %sum = kiln.add %a, %b
//   %y = kiln.layer_norm %sum, ...        (or kiln.rms_norm)
//
// into one `kiln.add_layer_norm` (or `kiln.add_rms_norm`) that returns both
// the sum, which is the next residual, and the normalised value, so that the
// kernel reads `a` and `b` once and never re-reads the sum. The pattern is
// anchored on the norm; adds that broadcast are refused with a reason.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnOps.h"
#include "passes/Passes.h"
#include "passes/RefusalReporter.h"

#include "mlir/IR/Dominance.h"
#include "mlir/IR/PatternMatch.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSENORMPASS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

//===----------------------------------------------------------------------===//
// Building the fused ops
//===----------------------------------------------------------------------===//

/// Builds `kiln.add_layer_norm` from `add` and the layer norm of its sum.
AddLayerNormOp createFusedNorm(PatternRewriter &rewriter, Location loc,
                               AddOp add, LayerNormOp norm) {
  Type type = add.getType();
  return rewriter.create<AddLayerNormOp>(loc, type, type, add.getLhs(),
                                         add.getRhs(), norm.getGamma(),
                                         norm.getBeta(), norm.getEpsilonAttr());
}

/// Builds `kiln.add_rms_norm` from `add` and the RMS norm of its sum.
AddRmsNormOp createFusedNorm(PatternRewriter &rewriter, Location loc, AddOp add,
                             RmsNormOp norm) {
  Type type = add.getType();
  return rewriter.create<AddRmsNormOp>(
      loc, type, type, add.getLhs(), add.getRhs(), norm.getGamma(),
      norm.getEpsilonAttr(), norm.getGammaOffsetAttr());
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

/// Fuses the `kiln.add` that feeds a `NormOp` (`kiln.layer_norm` or
/// `kiln.rms_norm`) into it.
template <typename NormOp>
class FuseAddNormPattern : public OpRewritePattern<NormOp> {
public:
  using OpRewritePattern<NormOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(NormOp norm,
                                PatternRewriter &rewriter) const override {
    auto refuse = [&](const Twine &reason) {
      return rewriter.notifyMatchFailure(
          norm, [&](Diagnostic &diag) { diag << reason; });
    };
    Value input = norm.getInput();
    auto add = input.template getDefiningOp<AddOp>();
    if (!add)
      return rewriter.notifyMatchFailure(norm, [&](Diagnostic &diag) {
        diag << "the input is not a 'kiln.add' result but ";
        if (Operation *producer = input.getDefiningOp())
          diag << "a '" << producer->getName() << "' result";
        else
          diag << "a block argument";
      });
    Type sumType = add.getType();
    if (add.getLhs().getType() != sumType || add.getRhs().getType() != sumType)
      return rewriter.notifyMatchFailure(norm, [&](Diagnostic &diag) {
        diag << "'kiln.add' broadcasts " << add.getLhs().getType() << " and "
             << add.getRhs().getType()
             << "; the fused op adds two tensors of one type";
      });
    if (add->getBlock() != norm->getBlock())
      return refuse("the add is in another block");

    Operation *insertionPoint = findInsertionPoint(add, norm);
    if (!insertionPoint)
      return refuse("the norm's parameters are defined after the add, and "
                    "the sum is used before the norm");
    rewriter.setInsertionPoint(insertionPoint);
    auto fused = createFusedNorm(
        rewriter, rewriter.getFusedLoc({add.getLoc(), norm.getLoc()}), add,
        norm);
    rewriter.replaceOp(norm, fused.getOutput());
    rewriter.replaceOp(add, fused.getSum());
    return success();
  }

private:
  /// Where the fused op can be built: at the add when the norm's parameters
  /// are defined before it (so that the other uses of the sum, which may
  /// precede the norm, still see a definition), else at the norm when no
  /// other use of the sum precedes it. Null when neither works.
  static Operation *findInsertionPoint(AddOp add, NormOp norm) {
    DominanceInfo dominance;
    Operation *addOp = add, *normOp = norm;
    if (llvm::all_of(normOp->getOperands().drop_front(), [&](Value parameter) {
          return dominance.properlyDominates(parameter, addOp);
        }))
      return addOp;
    if (llvm::all_of(addOp->getUsers(), [&](Operation *user) {
          return user == normOp || dominance.properlyDominates(normOp, user);
        }))
      return normOp;
    return nullptr;
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct FuseNormPass : public kiln::impl::KilnFuseNormPassBase<FuseNormPass> {
  using KilnFuseNormPassBase::KilnFuseNormPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns
        .add<FuseAddNormPattern<LayerNormOp>, FuseAddNormPattern<RmsNormOp>>(
            &getContext());
    if (failed(applyPatternsReportingRefusals(
            getOperation(), std::move(patterns), getArgument(), "not fused",
            reportRefusals)))
      signalPassFailure();
  }
};

} // namespace
