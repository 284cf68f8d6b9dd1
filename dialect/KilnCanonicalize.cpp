//===- KilnCanonicalize.cpp - Folders and canonicalization of kiln ops ----===//
//
// Simplifications of what the frontend and the fusion passes leave behind:
// identity layout changes (identity transposes, reshapes to the same type,
// split_heads undoing merge_heads, repeat_kv by 1), pairs of transposes,
// reshapes, scalings and casts that collapse into one op, scaling by 1, and
// masks applied twice. Folders handle what reduces to an existing value;
// canonicalization patterns handle what needs a new op. Every rewrite keeps
// the computed values exactly, except that combining two scalings rounds
// once instead of twice.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnOps.h"
#include "dialect/ShapeUtils.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/APFloat.h"

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// Scaling and casts
//===----------------------------------------------------------------------===//

OpFoldResult ScaleOp::fold(FoldAdaptor) {
  if (getFactor().isExactlyValue(1.0))
    return getInput();
  return {};
}

namespace {

/// Replaces `scale(scale(x, a), b)` with `scale(x, a * b)`, or with `x` when
/// the product is 1 (a scale by 2 undone by a scale by 0.5).
struct CombineScales : public OpRewritePattern<ScaleOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ScaleOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<ScaleOp>();
    if (!inner)
      return failure();
    double factor = inner.getFactor().convertToDouble() *
                    outer.getFactor().convertToDouble();
    rewriter.replaceOp(outer,
                       rewriter.createOrFold<ScaleOp>(
                           outer.getLoc(), outer.getType(), inner.getInput(),
                           rewriter.getF64FloatAttr(factor)));
    return success();
  }
};

} // namespace

void ScaleOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                          MLIRContext *context) {
  patterns.add<CombineScales>(context);
}

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

/// Whether converting from `from` to `to` is exact for every value: `to` has
/// at least the precision and the exponent range of `from`, so normal and
/// subnormal values of `from` alike are representable (f16 or bf16 to f32).
static bool isExactConversion(Type from, Type to) {
  const llvm::fltSemantics &source = cast<FloatType>(from).getFloatSemantics();
  const llvm::fltSemantics &target = cast<FloatType>(to).getFloatSemantics();
  using llvm::APFloatBase;
  return APFloatBase::semanticsPrecision(target) >=
             APFloatBase::semanticsPrecision(source) &&
         APFloatBase::semanticsMaxExponent(target) >=
             APFloatBase::semanticsMaxExponent(source) &&
         APFloatBase::semanticsMinExponent(target) <=
             APFloatBase::semanticsMinExponent(source);
}

namespace {

/// Replaces `cast(cast(x))` with one cast of `x` (or `x` itself) when the
/// inner cast is exact: rounding the exactly widened value is rounding `x`.
/// A narrowing inner cast rounds, so casting back does not restore `x`.
struct CombineExactCasts : public OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CastOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<CastOp>();
    if (!inner)
      return failure();
    if (!isExactConversion(inner.getInput().getType().getElementType(),
                           inner.getType().getElementType()))
      return rewriter.notifyMatchFailure(outer, "the inner cast rounds");
    rewriter.replaceOp(outer, rewriter.createOrFold<CastOp>(outer.getLoc(),
                                                            outer.getType(),
                                                            inner.getInput()));
    return success();
  }
};

} // namespace

void CastOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<CombineExactCasts>(context);
}

//===----------------------------------------------------------------------===//
// Attention masks
//===----------------------------------------------------------------------===//

// Masking writes -inf to the masked scores, so applying a mask to scores that
// a mask at least as strict has already covered changes nothing. A sliding
// window mask is a causal mask that also hides old keys.

OpFoldResult CausalMaskOp::fold(FoldAdaptor) {
  if (isa_and_present<CausalMaskOp, SlidingWindowMaskOp>(
          getScores().getDefiningOp()))
    return getScores();
  return {};
}

OpFoldResult SlidingWindowMaskOp::fold(FoldAdaptor) {
  Operation *producer = getScores().getDefiningOp();
  if (auto inner = dyn_cast_or_null<SlidingWindowMaskOp>(producer)) {
    if (inner.getWindowAttr().getInt() <= getWindowAttr().getInt())
      return getScores();
    // The inner window is wider: this mask hides everything it hides.
    getScoresMutable().assign(inner.getScores());
    return getOutput();
  }
  if (auto causal = dyn_cast_or_null<CausalMaskOp>(producer)) {
    getScoresMutable().assign(causal.getScores());
    return getOutput();
  }
  return {};
}

OpFoldResult PaddingMaskOp::fold(FoldAdaptor) {
  auto inner = getScores().getDefiningOp<PaddingMaskOp>();
  if (inner && inner.getAttentionMask() == getAttentionMask())
    return getScores();
  return {};
}

//===----------------------------------------------------------------------===//
// Layout: heads, transposes and reshapes
//===----------------------------------------------------------------------===//

OpFoldResult SplitHeadsOp::fold(FoldAdaptor) {
  auto merge = getInput().getDefiningOp<MergeHeadsOp>();
  if (merge && merge.getInput().getType() == getType())
    return merge.getInput();
  return {};
}

OpFoldResult MergeHeadsOp::fold(FoldAdaptor) {
  auto split = getInput().getDefiningOp<SplitHeadsOp>();
  if (split && split.getInput().getType() == getType())
    return split.getInput();
  return {};
}

OpFoldResult RepeatKvOp::fold(FoldAdaptor) {
  // Equal types mean equal head counts: every head is repeated once.
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  if (getInput().getType() != getType())
    return {};
  for (auto [index, dim] : llvm::enumerate(getPermutation()))
    if (dim != static_cast<int64_t>(index))
      return {};
  return getInput();
}

namespace {

/// Replaces `transpose(transpose(x, inner), outer)` with one transpose of
/// `x` by the composed permutation, which folds away when it is the
/// identity.
struct ComposeTransposes : public OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<TransposeOp>();
    if (!inner)
      return failure();
    ArrayRef<int64_t> source = inner.getInput().getType().getShape();
    SmallVector<int64_t> permutation, shape;
    for (int64_t dim : outer.getPermutation()) {
      permutation.push_back(inner.getPermutation()[dim]);
      shape.push_back(source[permutation.back()]);
    }
    // Each transpose only promises compatible shapes; a dynamic size in the
    // middle can hide two static sizes that disagree.
    if (!areShapesCompatible(shape, outer.getType().getShape()))
      return rewriter.notifyMatchFailure(
          outer, "the composed transpose does not give the result shape");
    rewriter.replaceOp(outer, rewriter.createOrFold<TransposeOp>(
                                  outer.getLoc(), outer.getType(),
                                  inner.getInput(), permutation));
    return success();
  }
};

} // namespace

void TransposeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                              MLIRContext *context) {
  patterns.add<ComposeTransposes>(context);
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

namespace {

/// Replaces `reshape(reshape(x))` with one reshape of `x`, which folds away
/// when `x` already has the result type. Reshapes compose: both reinterpret
/// the row-major elements and match dynamic dimensions in order.
struct ComposeReshapes : public OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp outer,
                                PatternRewriter &rewriter) const override {
    auto inner = outer.getInput().getDefiningOp<ReshapeOp>();
    if (!inner)
      return failure();
    rewriter.replaceOp(
        outer, rewriter.createOrFold<ReshapeOp>(outer.getLoc(), outer.getType(),
                                                inner.getInput()));
    return success();
  }
};

} // namespace

void ReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ComposeReshapes>(context);
}
