//===- FuseEpilogue.cpp - Fold bias, activation, residual into kiln.linear ===//
//
// Grows the fused epilogue of `kiln.linear`,
//
//   activation(x * W^T + bias) + residual
//
// from the ops that the frontend emits after a linear layer: a `kiln.add`
// of a per-feature bias, a `kiln.activation` and a `kiln.add` of a residual.
// Each pattern is anchored on one such op whose operand is a single-use
// linear, and replaces the pair with one linear that has the op folded in;
// the greedy driver then reaches the next op of the chain. Ops that would
// land in the epilogue in another order than they are applied are refused
// with a reason.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnOps.h"
#include "passes/Passes.h"
#include "passes/RefusalReporter.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/FormatVariadic.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSEEPILOGUEPASS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

//===----------------------------------------------------------------------===//
// Building the fused linear
//===----------------------------------------------------------------------===//

/// The optional parts of a linear's epilogue.
struct Epilogue {
  Value bias;
  Value residual;
  ActivationKindAttr activation;
};

/// The epilogue `linear` has now.
Epilogue epilogueOf(LinearOp linear) {
  return {linear.getBias(), linear.getResidual(), linear.getActivationAttr()};
}

/// Why `linear` cannot absorb `user`, whatever `user` computes; nothing when
/// it can.
std::optional<std::string> checkLinearFeedsOnly(LinearOp linear,
                                                Operation *user) {
  // Moving a linear into another block could take it into a loop body.
  if (linear->getBlock() != user->getBlock())
    return std::string("the linear is in another block");
  Value result = linear.getOutput();
  if (!result.hasOneUse())
    return llvm::formatv("the linear result has {0} uses; fusing would "
                         "compute the linear twice",
                         std::distance(result.use_begin(), result.use_end()))
        .str();
  return std::nullopt;
}

/// Replaces `user` and the `linear` it consumes with one linear that has
/// `epilogue`. The new linear is built at `user`, which every operand of
/// both ops dominates (a residual may be defined after the old linear).
void replaceWithFusedLinear(PatternRewriter &rewriter, LinearOp linear,
                            Operation *user, const Epilogue &epilogue) {
  rewriter.setInsertionPoint(user);
  auto fused = rewriter.create<LinearOp>(
      rewriter.getFusedLoc({linear.getLoc(), user->getLoc()}), linear.getType(),
      linear.getInput(), linear.getWeight(), epilogue.bias, epilogue.residual,
      epilogue.activation);
  rewriter.replaceOp(user, fused.getOutput());
  rewriter.eraseOp(linear);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Folds `activation(linear)` into the linear's activation.
class FuseActivationPattern : public OpRewritePattern<ActivationOp> {
public:
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ActivationOp activation,
                                PatternRewriter &rewriter) const override {
    auto linear = activation.getInput().getDefiningOp<LinearOp>();
    if (!linear)
      return failure();
    auto refuse = [&](const Twine &reason) {
      return rewriter.notifyMatchFailure(
          activation, [&](Diagnostic &diag) { diag << reason; });
    };
    if (std::optional<std::string> reason =
            checkLinearFeedsOnly(linear, activation))
      return refuse(*reason);
    if (linear.getResidual())
      return refuse("the linear already adds a residual, and the fused "
                    "epilogue applies the activation before the residual");
    if (std::optional<ActivationKind> existing = linear.getActivation())
      return refuse("the linear already applies '" +
                    stringifyActivationKind(*existing) + "'");

    Epilogue epilogue = epilogueOf(linear);
    epilogue.activation = activation.getKindAttr();
    replaceWithFusedLinear(rewriter, linear, activation, epilogue);
    return success();
  }
};

/// Folds `add(linear, bias)` into the linear's bias and `add(linear,
/// residual)` or `add(residual, linear)` into its residual.
class FuseAddPattern : public OpRewritePattern<AddOp> {
public:
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    // Both operands may be linears (two branches summed); the refusal of
    // the first one is reported only if the second cannot be fused either.
    std::optional<std::string> firstRefusal;
    for (auto [operand, other] : {std::make_pair(add.getLhs(), add.getRhs()),
                                  std::make_pair(add.getRhs(), add.getLhs())}) {
      auto linear = operand.getDefiningOp<LinearOp>();
      if (!linear)
        continue;
      std::string refusal;
      FailureOr<Epilogue> epilogue = foldAdd(linear, add, other, refusal);
      if (succeeded(epilogue)) {
        replaceWithFusedLinear(rewriter, linear, add, *epilogue);
        return success();
      }
      if (!firstRefusal)
        firstRefusal = refusal;
    }
    if (!firstRefusal)
      return failure();
    return rewriter.notifyMatchFailure(
        add, [&](Diagnostic &diag) { diag << *firstRefusal; });
  }

private:
  /// The epilogue of `linear` once it also adds `other`, or failure with
  /// the reason in `refusal`.
  static FailureOr<Epilogue> foldAdd(LinearOp linear, AddOp add, Value other,
                                     std::string &refusal) {
    auto refuse = [&](std::string reason) {
      refusal = std::move(reason);
      return failure();
    };
    if (std::optional<std::string> reason = checkLinearFeedsOnly(linear, add))
      return refuse(*reason);
    RankedTensorType resultType = linear.getType();
    if (add.getType() != resultType)
      return refuse(llvm::formatv("'kiln.add' changes the linear result type "
                                  "'{0}' to '{1}'",
                                  resultType, add.getType()));

    Epilogue epilogue = epilogueOf(linear);
    auto otherType = cast<RankedTensorType>(other.getType());
    int64_t outFeatures = resultType.getShape().back();
    bool isPerFeature = otherType.getRank() == 1 &&
                        !ShapedType::isDynamic(outFeatures) &&
                        otherType.getDimSize(0) == outFeatures;
    // The bias comes first in the epilogue, so it can only join a bare
    // linear; a rank-1 result type makes the same add also a residual.
    if (isPerFeature && !epilogue.bias && !epilogue.activation &&
        !epilogue.residual) {
      epilogue.bias = other;
      return epilogue;
    }
    if (otherType == resultType) {
      if (epilogue.residual)
        return refuse("the linear already adds a residual");
      epilogue.residual = other;
      return epilogue;
    }
    if (!isPerFeature)
      return refuse(llvm::formatv("the added '{0}' is neither a bias of the "
                                  "{1} output features nor a residual of the "
                                  "result type '{2}'",
                                  otherType, outFeatures, resultType));
    if (epilogue.bias)
      return refuse("the linear already has a bias");
    return refuse(llvm::formatv("the bias is added after the linear's {0}, "
                                "and the fused epilogue adds it before",
                                epilogue.residual ? "residual" : "activation"));
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct FuseEpiloguePass
    : public kiln::impl::KilnFuseEpiloguePassBase<FuseEpiloguePass> {
  using KilnFuseEpiloguePassBase::KilnFuseEpiloguePassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseActivationPattern, FuseAddPattern>(&getContext());
    if (failed(applyPatternsReportingRefusals(
            getOperation(), std::move(patterns), getArgument(), "not fused",
            reportRefusals)))
      signalPassFailure();
  }
};

} // namespace
