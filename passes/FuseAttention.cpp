//===- FuseAttention.cpp - Fuse QK^T/scale/mask/softmax/V into attention --===//
//
// Rewrites the unfused attention chain
//
//   softmax(mask(scale * matmul(Q, K^T))) * V
//
// into one `kiln.attention`, so that code generation can emit a
// flash-style kernel that never materialises the score matrix. The pattern
// is anchored on `kiln.softmax`: it checks the softmax's only user is the V
// product, then walks back from the softmax input through scalings and
// masks to Q K^T, collecting the combined scale, the structural mask and the
// padding mask. Anything it cannot prove equivalent is refused with a
// reason.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnOps.h"
#include "passes/Passes.h"
#include "passes/RefusalReporter.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "llvm/Support/FormatVariadic.h"

namespace kiln {
#define GEN_PASS_DEF_KILNFUSEATTENTIONPASS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

//===----------------------------------------------------------------------===//
// Constant analysis
//===----------------------------------------------------------------------===//

/// A masked score must end up at most this negative: exp(-1e4) is zero in
/// every floating-point type, so such an entry masks exactly like -inf.
constexpr double kMaskedScoreBound = -1e4;

/// The value of a floating-point splat constant, if `value` is one.
std::optional<double> getSplatConstant(Value value) {
  DenseFPElementsAttr attr;
  if (!matchPattern(value, m_Constant(&attr)) || !attr.isSplat())
    return std::nullopt;
  return attr.getSplatValue<APFloat>().convertToDouble();
}

/// If `op` multiplies a tensor by a constant scalar (`kiln.scale`, or
/// `kiln.mul` by a splat that does not broadcast the tensor), returns the
/// tensor and the factor. `kiln.div` by a splat counts as its reciprocal.
std::optional<std::pair<Value, double>> matchScalarScale(Operation *op) {
  if (!op)
    return std::nullopt;
  if (auto scale = dyn_cast<ScaleOp>(op))
    return std::make_pair(scale.getInput(), scale.getFactor().convertToDouble());
  auto splatOperand = [&](Value scaled, Value factor)
      -> std::optional<std::pair<Value, double>> {
    std::optional<double> constant = getSplatConstant(factor);
    if (!constant || scaled.getType() != op->getResult(0).getType())
      return std::nullopt;
    return std::make_pair(scaled, *constant);
  };
  if (auto mul = dyn_cast<MulOp>(op)) {
    if (auto match = splatOperand(mul.getLhs(), mul.getRhs()))
      return match;
    return splatOperand(mul.getRhs(), mul.getLhs());
  }
  if (auto div = dyn_cast<DivOp>(op)) {
    auto match = splatOperand(div.getLhs(), div.getRhs());
    if (match && match->second != 0.0)
      return std::make_pair(match->first, 1.0 / match->second);
  }
  return std::nullopt;
}

/// A mask that depends on positions only.
struct StructuralMask {
  MaskKind kind = MaskKind::None;
  std::optional<int64_t> window;
};

/// Classifies a constant [..., queries, keys] pattern as causal or sliding
/// window. `maskedAt(i)` says whether flat element i masks (true), keeps
/// (false) or is neither (nullopt, e.g. a finite bias).
FailureOr<StructuralMask>
classifyMaskPattern(ArrayRef<int64_t> shape,
                    function_ref<std::optional<bool>(int64_t)> maskedAt) {
  if (shape.size() < 2)
    return failure();
  int64_t queries = shape[shape.size() - 2], keys = shape.back();
  // With more keys than queries, the queries are the latest positions.
  int64_t offset = keys - queries;
  int64_t lastRow = (queries - 1) * keys;
  int64_t keptInLastRow = 0;
  for (int64_t j = 0; j < keys; ++j) {
    std::optional<bool> masked = maskedAt(lastRow + j);
    if (!masked)
      return failure();
    keptInLastRow += !*masked;
  }
  StructuralMask mask{MaskKind::Causal, std::nullopt};
  if (keptInLastRow == 0)
    return failure();
  if (keptInLastRow < keys)
    mask = {MaskKind::SlidingWindow, keptInLastRow};

  int64_t elements = 1;
  for (int64_t dim : shape)
    elements *= dim;
  for (int64_t index = 0; index < elements; ++index) {
    int64_t i = (index / keys) % queries, j = index % keys;
    int64_t newestVisible = i + offset;
    bool expected = j > newestVisible ||
                    (mask.window && j <= newestVisible - *mask.window);
    if (maskedAt(index) != expected)
      return failure();
  }
  return mask;
}

/// Classifies an additive constant mask: entries are 0 (keep) or masked once
/// multiplied by `scaleAfter`, the product of the scalings applied later.
FailureOr<StructuralMask> classifyAdditiveMask(DenseFPElementsAttr attr,
                                               double scaleAfter) {
  SmallVector<double> values;
  for (const APFloat &value : attr.getValues<APFloat>())
    values.push_back(value.convertToDouble());
  return classifyMaskPattern(
      attr.getType().getShape(), [&](int64_t index) -> std::optional<bool> {
        if (values[index] == 0.0)
          return false;
        if (values[index] * scaleAfter <= kMaskedScoreBound)
          return true;
        return std::nullopt;
      });
}

/// Classifies a constant boolean `arith.select` condition; `keepWhen` is the
/// condition value that selects the scores.
FailureOr<StructuralMask> classifySelectMask(DenseIntElementsAttr attr,
                                             bool keepWhen) {
  SmallVector<bool> values(attr.getValues<bool>());
  return classifyMaskPattern(attr.getType().getShape(),
                             [&](int64_t index) -> std::optional<bool> {
                               return values[index] != keepWhen;
                             });
}

/// Matches the additive padding mask `(1 - m) * c`, with `m` a [batch,
/// keys] attention mask reshaped to [batch, 1, 1, keys] and `c` masking once
/// scaled by `scaleAfter`. Returns `m`.
std::optional<Value> matchAdditivePaddingMask(Value addend,
                                              double scaleAfter) {
  auto scaled = matchScalarScale(addend.getDefiningOp());
  if (!scaled || scaled->second * scaleAfter > kMaskedScoreBound)
    return std::nullopt;
  auto inverted = scaled->first.getDefiningOp<SubOp>();
  if (!inverted || getSplatConstant(inverted.getLhs()) != 1.0)
    return std::nullopt;
  auto reshape = inverted.getRhs().getDefiningOp<ReshapeOp>();
  if (!reshape)
    return std::nullopt;
  auto maskType = cast<RankedTensorType>(reshape.getInput().getType());
  ArrayRef<int64_t> from = maskType.getShape();
  ArrayRef<int64_t> to = reshape.getOutput().getType().getShape();
  if (from.size() != 2 || to.size() != 4 || to[1] != 1 || to[2] != 1 ||
      to[0] != from[0] || to[3] != from[1])
    return std::nullopt;
  return reshape.getInput();
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

/// What the walk from the softmax back to Q K^T collected.
struct AttentionParts {
  Value query, key, value, keyPadding;
  double scale = 1.0;
  StructuralMask mask;
};

/// Fuses one attention chain, anchored on its softmax.
class FuseAttentionPattern : public OpRewritePattern<SoftmaxOp> {
public:
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SoftmaxOp softmax,
                                PatternRewriter &rewriter) const override {
    auto scoresType = cast<RankedTensorType>(softmax.getInput().getType());
    int64_t rank = scoresType.getRank();
    if (rank != 4)
      return rewriter.notifyMatchFailure(softmax, [&](Diagnostic &diag) {
        diag << "scores have rank " << rank << ", expected 4 ([batch, heads, "
             << "queries, keys])";
      });
    if (static_cast<int64_t>(softmax.getAxis()) != rank - 1)
      return rewriter.notifyMatchFailure(softmax, [&](Diagnostic &diag) {
        diag << "softmax is over axis " << softmax.getAxis()
             << ", not the key axis " << rank - 1;
      });

    AttentionParts parts;
    MatmulOp valueProduct;
    if (failed(matchValueProduct(softmax, rewriter, valueProduct, parts)))
      return failure();
    MatmulOp scoreProduct;
    if (failed(matchScoreChain(softmax, rewriter, scoreProduct, parts)) ||
        failed(matchScoreProduct(scoreProduct, rewriter, parts)) ||
        failed(removeRepeatedHeads(softmax, rewriter, parts)))
      return failure();

    Location loc = rewriter.getFusedLoc(
        {scoreProduct.getLoc(), softmax.getLoc(), valueProduct.getLoc()});
    auto attention = rewriter.create<AttentionOp>(
        loc, valueProduct.getType(), parts.query, parts.key, parts.value,
        parts.keyPadding, rewriter.getF64FloatAttr(parts.scale),
        MaskKindAttr::get(getContext(), parts.mask.kind),
        parts.mask.window ? rewriter.getI64IntegerAttr(*parts.mask.window)
                          : IntegerAttr());
    rewriter.replaceOp(valueProduct, attention.getResult());
    return success();
  }

private:
  /// Checks that the softmax feeds only `matmul(softmax, V)`.
  LogicalResult matchValueProduct(SoftmaxOp softmax, PatternRewriter &rewriter,
                                  MatmulOp &valueProduct,
                                  AttentionParts &parts) const {
    Value probabilities = softmax.getOutput();
    if (!probabilities.hasOneUse())
      return rewriter.notifyMatchFailure(softmax, [&](Diagnostic &diag) {
        diag << "softmax result has "
             << std::distance(probabilities.use_begin(),
                              probabilities.use_end())
             << " uses, expected only the value product";
      });
    Operation *user = *probabilities.user_begin();
    valueProduct = dyn_cast<MatmulOp>(user);
    if (!valueProduct || valueProduct.getLhs() != probabilities)
      return rewriter.notifyMatchFailure(softmax, [&](Diagnostic &diag) {
        diag << "softmax result feeds '" << user->getName()
             << "', not the lhs of a value product 'kiln.matmul'";
      });
    if (valueProduct.getTransposeLhs() || valueProduct.getTransposeRhs())
      return rewriter.notifyMatchFailure(softmax, [&](Diagnostic &diag) {
        diag << "value product transposes an operand";
      });
    parts.value = valueProduct.getRhs();
    return success();
  }

  /// Walks back from the softmax input through scalings and masks to the
  /// score product, accumulating them into `parts`.
  LogicalResult matchScoreChain(SoftmaxOp softmax, PatternRewriter &rewriter,
                                MatmulOp &scoreProduct,
                                AttentionParts &parts) const {
    Value scores = softmax.getInput();
    // Product of the scalings applied after the current point of the walk.
    double scaleAfter = 1.0;
    auto refuse = [&](const Twine &reason) {
      return rewriter.notifyMatchFailure(
          softmax, [&](Diagnostic &diag) { diag << reason; });
    };
    // A structural mask fills with -inf, which only a positive scaling
    // applied afterwards preserves.
    auto checkMaskSurvivesScaling = [&](Operation *mask) {
      if (scaleAfter > 0)
        return success();
      return refuse("'" + mask->getName().getStringRef() +
                    "' is followed by a non-positive scaling (" +
                    llvm::formatv("{0}", scaleAfter) + ")");
    };
    auto addStructural = [&](StructuralMask mask) {
      if (mask.kind == MaskKind::SlidingWindow)
        parts.mask.window = parts.mask.window
                                ? std::min(*parts.mask.window, *mask.window)
                                : *mask.window;
      if (parts.mask.window)
        parts.mask.kind = MaskKind::SlidingWindow;
      else
        parts.mask.kind = MaskKind::Causal;
    };
    auto addPadding = [&](Value mask) {
      if (parts.keyPadding)
        return refuse("scores are masked by two padding masks");
      parts.keyPadding = mask;
      return success();
    };

    while (true) {
      if (!scores.hasOneUse())
        return refuse("intermediate scores have more than one use");
      Operation *op = scores.getDefiningOp();
      if (!op)
        return refuse("scores are a block argument, not a 'kiln.matmul'");
      if (auto matmul = dyn_cast<MatmulOp>(op)) {
        scoreProduct = matmul;
        parts.scale = scaleAfter;
        return success();
      }
      if (auto scaled = matchScalarScale(op)) {
        scaleAfter *= scaled->second;
        scores = scaled->first;
        continue;
      }
      if (isa<ScaleOp, MulOp, DivOp>(op))
        return refuse("'" + op->getName().getStringRef() +
                      "' scales the scores by a value that is not a "
                      "compile-time scalar");
      if (auto causal = dyn_cast<CausalMaskOp>(op)) {
        if (failed(checkMaskSurvivesScaling(op)))
          return failure();
        addStructural({MaskKind::Causal, std::nullopt});
        scores = causal.getScores();
        continue;
      }
      if (auto window = dyn_cast<SlidingWindowMaskOp>(op)) {
        if (failed(checkMaskSurvivesScaling(op)))
          return failure();
        addStructural({MaskKind::SlidingWindow, window.getWindow()});
        scores = window.getScores();
        continue;
      }
      if (auto padding = dyn_cast<PaddingMaskOp>(op)) {
        if (failed(checkMaskSurvivesScaling(op)) ||
            failed(addPadding(padding.getAttentionMask())))
          return failure();
        scores = padding.getScores();
        continue;
      }
      if (auto add = dyn_cast<AddOp>(op)) {
        FailureOr<Value> rest = matchAdditiveMask(add, scaleAfter, refuse,
                                                  addStructural, addPadding);
        if (failed(rest))
          return failure();
        scores = *rest;
        continue;
      }
      if (auto select = dyn_cast<arith::SelectOp>(op)) {
        FailureOr<Value> rest =
            matchSelectMask(select, scaleAfter, refuse, addStructural);
        if (failed(rest))
          return failure();
        scores = *rest;
        continue;
      }
      return refuse("'" + op->getName().getStringRef() +
                    "' between the score product and the softmax is neither "
                    "a scaling nor a mask");
    }
  }

  /// Matches `scores + mask` for a constant causal/window mask or an
  /// additive padding mask; returns the masked scores.
  template <typename Refuse, typename AddStructural, typename AddPadding>
  FailureOr<Value> matchAdditiveMask(AddOp add, double scaleAfter,
                                     Refuse &refuse,
                                     AddStructural &addStructural,
                                     AddPadding &addPadding) const {
    for (auto [scores, addend] : {std::make_pair(add.getLhs(), add.getRhs()),
                                  std::make_pair(add.getRhs(), add.getLhs())}) {
      if (scores.getType() != add.getType())
        continue;
      DenseFPElementsAttr constant;
      if (matchPattern(addend, m_Constant(&constant))) {
        auto scoresShape = cast<RankedTensorType>(scores.getType()).getShape();
        ArrayRef<int64_t> maskShape = constant.getType().getShape();
        if (maskShape.size() < 2 ||
            scoresShape.take_back(2) != maskShape.take_back(2))
          return refuse("added constant mask does not cover the [queries, "
                        "keys] dimensions of the scores exactly");
        FailureOr<StructuralMask> mask =
            classifyAdditiveMask(constant, scaleAfter);
        if (failed(mask))
          return refuse("added constant is neither a causal nor a "
                        "sliding-window mask of values <= -1e4");
        addStructural(*mask);
        return scores;
      }
      if (std::optional<Value> padding =
              matchAdditivePaddingMask(addend, scaleAfter)) {
        if (failed(addPadding(*padding)))
          return failure();
        return scores;
      }
    }
    return refuse("'kiln.add' adds a tensor that is not a recognised mask");
  }

  /// Matches `select(pattern, scores, fill)` (or with the operands swapped)
  /// for a constant causal or window pattern and a large negative fill.
  template <typename Refuse, typename AddStructural>
  FailureOr<Value> matchSelectMask(arith::SelectOp select, double scaleAfter,
                                   Refuse &refuse,
                                   AddStructural &addStructural) const {
    DenseIntElementsAttr pattern;
    if (!matchPattern(select.getCondition(), m_Constant(&pattern)))
      return refuse("'arith.select' condition is not a constant mask");
    for (bool keepWhen : {true, false}) {
      Value scores = keepWhen ? select.getTrueValue() : select.getFalseValue();
      Value fill = keepWhen ? select.getFalseValue() : select.getTrueValue();
      std::optional<double> fillValue = getSplatConstant(fill);
      if (!fillValue || *fillValue * scaleAfter > kMaskedScoreBound)
        continue;
      auto scoresShape = cast<RankedTensorType>(scores.getType()).getShape();
      if (pattern.getType().getShape() != scoresShape)
        return refuse("'arith.select' mask shape differs from the scores");
      FailureOr<StructuralMask> mask = classifySelectMask(pattern, keepWhen);
      if (failed(mask))
        return refuse("'arith.select' pattern is neither causal nor a "
                      "sliding window");
      addStructural(*mask);
      return scores;
    }
    return refuse("'arith.select' does not fill masked scores with a "
                  "constant <= -1e4");
  }

  /// Matches Q K^T (K^T by `transpose_rhs` or an explicit transpose) and
  /// folds constant scalings of Q and K into the scale.
  LogicalResult matchScoreProduct(MatmulOp scoreProduct,
                                  PatternRewriter &rewriter,
                                  AttentionParts &parts) const {
    if (scoreProduct.getTransposeLhs())
      return rewriter.notifyMatchFailure(scoreProduct, [](Diagnostic &diag) {
        diag << "score product transposes Q";
      });
    Value key = scoreProduct.getRhs();
    if (!scoreProduct.getTransposeRhs()) {
      auto transpose = key.getDefiningOp<TransposeOp>();
      if (!transpose ||
          transpose.getPermutation() != ArrayRef<int64_t>{0, 1, 3, 2})
        return rewriter.notifyMatchFailure(scoreProduct, [](Diagnostic &diag) {
          diag << "score product does not multiply by K^T";
        });
      key = transpose.getInput();
    }
    auto peelScale = [&](Value value) {
      while (auto scaled = matchScalarScale(value.getDefiningOp())) {
        parts.scale *= scaled->second;
        value = scaled->first;
      }
      return value;
    };
    parts.query = peelScale(scoreProduct.getLhs());
    parts.key = peelScale(key);
    return success();
  }

  /// Uses the un-repeated K and V when both come from `kiln.repeat_kv` with
  /// the same factor; `kiln.attention` maps query heads to them itself.
  LogicalResult removeRepeatedHeads(SoftmaxOp softmax,
                                    PatternRewriter &rewriter,
                                    AttentionParts &parts) const {
    auto repeatsOf = [](Value value) -> std::pair<Value, int64_t> {
      auto repeat = value.getDefiningOp<RepeatKvOp>();
      if (!repeat)
        return {value, 1};
      return {repeat.getInput(), repeat.getOutput().getType().getDimSize(1) /
                                     repeat.getInput().getType().getDimSize(1)};
    };
    std::pair<Value, int64_t> key = repeatsOf(parts.key);
    std::pair<Value, int64_t> value = repeatsOf(parts.value);
    int64_t keyRepeats = key.second, valueRepeats = value.second;
    if (keyRepeats != valueRepeats)
      return rewriter.notifyMatchFailure(softmax, [&](Diagnostic &diag) {
        diag << "key heads are repeated x" << keyRepeats
             << " but value heads x" << valueRepeats;
      });
    parts.key = key.first;
    parts.value = value.first;
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct FuseAttentionPass
    : public kiln::impl::KilnFuseAttentionPassBase<FuseAttentionPass> {
  using KilnFuseAttentionPassBase::KilnFuseAttentionPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseAttentionPattern>(&getContext());
    if (failed(applyPatternsReportingRefusals(
            getOperation(), std::move(patterns), getArgument(), "not fused",
            reportRefusals)))
      signalPassFailure();
  }
};

} // namespace
