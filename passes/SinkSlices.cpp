//===- SinkSlices.cpp - Compute only the rows that a slice keeps ----------===//
//
// A decoder compiled to return the logits of its last position
// (`--output-positions=last`) slices the last row of its final hidden
// states before the LM head; the rows of the last layer's MLP, output
// projection and queries that the slice drops were computed for nothing.
// This pass moves each slice above the op that produces its input whenever
// every row of that op's results depends only on the same row of some of
// its operands, so that the op computes the kept rows only:
//
//   %y = kiln.layer_norm %x, ...          %s = kiln.slice %x axis 1 offset -1
//   %s = kiln.slice %y axis 1 offset -1 => %y = kiln.layer_norm %s, ...
//
// The producer moves only when every use of every one of its results is the
// same slice: otherwise its other rows are still needed, and computing the
// kept rows twice would cost more. Attention slices its queries and keeps
// every key and value; with a causal or sliding-window mask only when the
// slice keeps the last queries, which the op aligns with the last keys.
// Ops whose rows depend on their position (positions, RoPE) or on other
// rows (reductions over the axis) keep the slice after them.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnOps.h"
#include "passes/Passes.h"
#include "passes/RefusalReporter.h"

#include "mlir/IR/PatternMatch.h"
#include "llvm/ADT/TypeSwitch.h"

#include <optional>

namespace kiln {
#define GEN_PASS_DEF_KILNSINKSLICESPASS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// For each operand of an op, the axis along which it is sliced to compute
/// a slice of the op's results, or std::nullopt where the op uses the whole
/// operand (weights, biases, keys).
using OperandAxes = SmallVector<std::optional<int64_t>>;

/// Whether `slice` keeps the last entries of its axis.
bool keepsLastEntries(SliceOp slice) {
  int64_t axis = slice.getAxis(), offset = slice.getOffset();
  int64_t size = slice.getType().getDimSize(axis);
  if (offset < 0)
    return offset + size == 0;
  int64_t inputSize = slice.getInput().getType().getDimSize(axis);
  return !ShapedType::isDynamic(inputSize) && offset + size == inputSize;
}

/// Axes that slice every operand along `axis` of `op`'s results: the rows
/// of an elementwise op, where operands of lower rank or of size 1 along
/// the axis broadcast and are used whole.
OperandAxes getBroadcastAxes(Operation *op, int64_t axis) {
  int64_t rank = cast<RankedTensorType>(op->getResult(0).getType()).getRank();
  OperandAxes axes;
  for (Value operand : op->getOperands()) {
    auto type = cast<RankedTensorType>(operand.getType());
    int64_t operandAxis = axis - (rank - type.getRank());
    if (operandAxis < 0 || type.getDimSize(operandAxis) == 1)
      axes.push_back(std::nullopt);
    else
      axes.push_back(operandAxis);
  }
  return axes;
}

/// Axes that slice the operands of `op` in the ODS operand groups `groups`
/// along `axis` and use the others whole.
OperandAxes getGroupAxes(Operation *op, ArrayRef<unsigned> groups, int64_t axis,
                         function_ref<std::pair<unsigned, unsigned>(unsigned)>
                             getOperandIndexAndLength) {
  OperandAxes axes(op->getNumOperands(), std::nullopt);
  for (unsigned group : groups) {
    auto [start, length] = getOperandIndexAndLength(group);
    for (unsigned index = start; index < start + length; ++index)
      axes[index] = axis;
  }
  return axes;
}

/// How `slice`, a slice along `axis` of a result of `op`, maps onto the
/// operands of `op`; a failure naming the reason when the kept rows of the
/// results depend on other rows or on their positions.
FailureOr<OperandAxes> getOperandAxes(Operation *op, SliceOp slice,
                                      PatternRewriter &rewriter) {
  int64_t axis = slice.getAxis();
  int64_t lastAxis =
      cast<RankedTensorType>(op->getResult(0).getType()).getRank() - 1;
  auto refuse = [&](const Twine &reason) -> FailureOr<OperandAxes> {
    return rewriter.notifyMatchFailure(
        slice, [&](Diagnostic &diag) { diag << reason; });
  };
  // For ops that move only slices along `movingAxis`, which holds `what`.
  auto refuseAxisOtherThan = [&](int64_t movingAxis, StringRef what) {
    return refuse("only a slice of " + what + " (axis " + Twine(movingAxis) +
                  ") moves above '" + op->getName().getStringRef() +
                  "', not one of axis " + Twine(axis));
  };
  auto groupsAlong = [&](auto typedOp, ArrayRef<unsigned> groups,
                         StringRef what) -> FailureOr<OperandAxes> {
    if (axis == lastAxis)
      return refuse("'" + op->getName().getStringRef() + "' mixes the " + what +
                    " along the sliced axis " + Twine(axis));
    return getGroupAxes(op, groups, axis, [&](unsigned group) {
      return typedOp.getODSOperandIndexAndLength(group);
    });
  };
  return TypeSwitch<Operation *, FailureOr<OperandAxes>>(op)
      .Case<ActivationOp, ScaleOp, CastOp, AddOp, SubOp, MulOp, DivOp>(
          [&](Operation *) { return getBroadcastAxes(op, axis); })
      // Norms normalise along the last axis; linear layers contract it.
      // Their rows are the other axes of the activations (ODS groups: the
      // input, or the two summands); the parameters are used whole.
      .Case<LayerNormOp, RmsNormOp>([&](auto norm) {
        return groupsAlong(norm, {0}, "features it normalises");
      })
      .Case<AddLayerNormOp, AddRmsNormOp>([&](auto norm) {
        return groupsAlong(norm, {0, 1}, "features it normalises");
      })
      // Groups of kiln.linear: input, weight, bias, residual.
      .Case([&](LinearOp linear) {
        return groupsAlong(linear, {0, 3}, "output features");
      })
      // [batch, heads, positions, head_dim] <- [batch, positions, features].
      .Case([&](SplitHeadsOp) -> FailureOr<OperandAxes> {
        if (axis != 2)
          return refuseAxisOtherThan(2, "positions");
        return OperandAxes{1};
      })
      .Case([&](MergeHeadsOp) -> FailureOr<OperandAxes> {
        if (axis != 1)
          return refuseAxisOtherThan(1, "positions");
        return OperandAxes{2};
      })
      .Case([&](AttentionOp attention) -> FailureOr<OperandAxes> {
        if (axis != 2)
          return refuseAxisOtherThan(2, "queries");
        if (attention.getMask() != MaskKind::None && !keepsLastEntries(slice))
          return refuse("the structural mask aligns the last queries with "
                        "the last keys, and the slice does not keep the "
                        "last queries");
        OperandAxes axes(op->getNumOperands(), std::nullopt);
        axes[0] = 2;
        return axes;
      })
      .Default([&](Operation *) {
        return refuse("the rows of a '" + op->getName().getStringRef() +
                      "' result are not known to depend only on the same "
                      "rows of its operands");
      });
}

/// Whether `other` takes the same entries along the same axis as `slice`.
bool isSameSlice(SliceOp other, SliceOp slice) {
  uint64_t axis = slice.getAxis();
  return other.getAxis() == axis && other.getOffset() == slice.getOffset() &&
         other.getType().getDimSize(axis) == slice.getType().getDimSize(axis);
}

/// `type` with `size` entries along `axis`.
RankedTensorType withDimSize(Type type, int64_t axis, int64_t size) {
  auto tensorType = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(tensorType.getShape());
  shape[axis] = size;
  return tensorType.clone(shape);
}

//===----------------------------------------------------------------------===//
// The pattern
//===----------------------------------------------------------------------===//

/// Moves a `kiln.slice` above the op that produces its input.
class SinkSlicePattern : public OpRewritePattern<SliceOp> {
public:
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SliceOp slice,
                                PatternRewriter &rewriter) const override {
    Operation *producer = slice.getInput().getDefiningOp();
    if (!producer)
      return rewriter.notifyMatchFailure(
          slice, "the input is a block argument: nothing computes its rows");
    // Every use of every result must be this slice: the other rows are
    // then dead.
    SmallVector<SliceOp> slices;
    for (Operation *user : producer->getUsers()) {
      auto other = dyn_cast<SliceOp>(user);
      if (!other || !isSameSlice(other, slice))
        return rewriter.notifyMatchFailure(slice, [&](Diagnostic &diag) {
          diag << "the '" << producer->getName()
               << "' result has a use that needs other rows: '"
               << user->getName() << "'";
        });
      slices.push_back(other);
    }
    FailureOr<OperandAxes> axes = getOperandAxes(producer, slice, rewriter);
    if (failed(axes))
      return failure();

    int64_t axis = slice.getAxis();
    int64_t size = slice.getType().getDimSize(axis);
    rewriter.setInsertionPoint(producer);
    SmallVector<Value> operands;
    for (auto [operand, operandAxis] :
         llvm::zip_equal(producer->getOperands(), *axes)) {
      if (!operandAxis) {
        operands.push_back(operand);
        continue;
      }
      operands.push_back(rewriter.create<SliceOp>(
          slice.getLoc(), withDimSize(operand.getType(), *operandAxis, size),
          operand, *operandAxis, slice.getOffset()));
    }
    OperationState state(producer->getLoc(), producer->getName(), operands,
                         /*types=*/{}, producer->getAttrs());
    for (Type type : producer->getResultTypes())
      state.addTypes(withDimSize(type, axis, size));
    Operation *narrowed = rewriter.create(state);
    for (SliceOp user : slices)
      rewriter.replaceOp(
          user, narrowed->getResult(
                    cast<OpResult>(user.getInput()).getResultNumber()));
    rewriter.eraseOp(producer);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct SinkSlicesPass
    : public kiln::impl::KilnSinkSlicesPassBase<SinkSlicesPass> {
  using KilnSinkSlicesPassBase::KilnSinkSlicesPassBase;

  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<SinkSlicePattern>(&getContext());
    if (failed(applyPatternsReportingRefusals(
            getOperation(), std::move(patterns), getArgument(), "not moved",
            reportRefusals)))
      signalPassFailure();
  }
};

} // namespace
