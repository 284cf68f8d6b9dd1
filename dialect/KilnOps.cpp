//===- KilnOps.cpp - Operations of the kiln dialect -----------------------===//
//
// Verifiers of the kiln ops. Every diagnostic names the operand or dimension
// at fault and the value that was expected, so that a shape error in a model
// spec can be traced to the layer that caused it.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnOps.h"
#include "dialect/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/IR/TypeUtilities.h"

using namespace mlir;
using namespace kiln;

//===----------------------------------------------------------------------===//
// Verification helpers
//===----------------------------------------------------------------------===//

namespace {

/// The shape of a value whose type the ODS constraints made a ranked tensor.
ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// Emits "expected <what> to have rank <rank>, got rank N" on mismatch.
LogicalResult verifyRank(Operation *op, StringRef what, Value value,
                         int64_t rank) {
  int64_t actual = shapeOf(value).size();
  if (actual == rank)
    return success();
  return op->emitOpError() << "expected " << what << " to have rank " << rank
                           << ", got rank " << actual;
}

/// Emits "expected <what> to have rank at least <rank>, got rank N".
LogicalResult verifyMinRank(Operation *op, StringRef what, Value value,
                            int64_t rank) {
  int64_t actual = shapeOf(value).size();
  if (actual >= rank)
    return success();
  return op->emitOpError() << "expected " << what << " to have rank at least "
                           << rank << ", got rank " << actual;
}

/// Emits "expected <what> to be <expected>, got <actual>" when two dimension
/// sizes cannot be equal at run time.
LogicalResult verifyDim(Operation *op, const Twine &what, int64_t actual,
                        int64_t expected) {
  if (areDimsCompatible(actual, expected))
    return success();
  return op->emitOpError() << "expected " << what << " to be "
                           << formatDim(expected) << ", got "
                           << formatDim(actual);
}

/// Emits "expected <what> shape <expected>, got <actual>" when two shapes are
/// incompatible.
LogicalResult verifyShape(Operation *op, StringRef what,
                          ArrayRef<int64_t> actual,
                          ArrayRef<int64_t> expected) {
  if (areShapesCompatible(actual, expected))
    return success();
  return op->emitOpError() << "expected " << what << " shape "
                           << formatShape(expected) << ", got "
                           << formatShape(actual);
}

/// Checks that every named value has the element type of the first one.
LogicalResult
verifySameElementType(Operation *op,
                      ArrayRef<std::pair<StringRef, Value>> namedValues) {
  auto [referenceName, reference] = namedValues.front();
  Type expected = getElementTypeOrSelf(reference.getType());
  for (auto [name, value] : namedValues.drop_front()) {
    if (!value)
      continue;
    Type actual = getElementTypeOrSelf(value.getType());
    if (actual != expected)
      return op->emitOpError()
             << "expected " << name << " element type " << expected << " (the "
             << referenceName << "'s), got " << actual;
  }
  return success();
}

/// Checks that `value` is strictly positive; `what` names the attribute. A
/// template so that integer attributes are printed as integers.
template <typename Number>
LogicalResult verifyPositive(Operation *op, StringRef what, Number value) {
  if (value > 0)
    return success();
  return op->emitOpError() << "expected " << what << " to be positive, got "
                           << value;
}

/// Checks the per-feature parameters of a norm over the input's last
/// dimension: rank-1 `gamma` (and `beta` if present) of the input's width.
LogicalResult verifyNormParameters(Operation *op, Value input, Value gamma,
                                   Value beta, double epsilon) {
  if (failed(verifyMinRank(op, "input", input, 1)))
    return failure();
  int64_t width = shapeOf(input).back();
  for (auto [name, param] : {std::pair<StringRef, Value>{"gamma", gamma},
                             std::pair<StringRef, Value>{"beta", beta}}) {
    if (!param)
      continue;
    if (failed(verifyRank(op, name, param, 1)) ||
        failed(verifyDim(op, name + " size (the input's last dimension)",
                         shapeOf(param)[0], width)))
      return failure();
  }
  if (failed(verifySameElementType(
          op, {{"input", input}, {"gamma", gamma}, {"beta", beta}})))
    return failure();
  return verifyPositive(op, "epsilon", epsilon);
}

/// Checks a [batch, keys] attention mask against the batch and key count.
LogicalResult verifyKeyMask(Operation *op, Value mask, int64_t batch,
                            int64_t keys) {
  if (failed(verifyRank(op, "attention mask", mask, 2)))
    return failure();
  ArrayRef<int64_t> shape = shapeOf(mask);
  if (failed(verifyDim(op, "attention mask dimension 0 (batch)", shape[0],
                       batch)))
    return failure();
  return verifyDim(op, "attention mask dimension 1 (keys)", shape[1], keys);
}

/// Checks the [..., queries, keys] scores that a mask op applies to.
LogicalResult verifyScores(Operation *op, Value scores) {
  return verifyMinRank(op, "scores", scores, 2);
}

} // namespace

//===----------------------------------------------------------------------===//
// Embeddings and positional encodings
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  if (failed(verifyRank(*this, "table", getTable(), 2)))
    return failure();
  ArrayRef<int64_t> ids = shapeOf(getIds());
  SmallVector<int64_t> expected(ids);
  expected.push_back(shapeOf(getTable())[1]);
  if (failed(verifyShape(*this, "result", shapeOf(getOutput()), expected)))
    return failure();
  return verifySameElementType(*this,
                               {{"table", getTable()}, {"result", getOutput()}});
}

LogicalResult LearnedPositionsOp::verify() {
  if (failed(verifyRank(*this, "input", getInput(), 3)) ||
      failed(verifyRank(*this, "table", getTable(), 2)))
    return failure();
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> table = shapeOf(getTable());
  if (failed(verifyDim(*this, "table dimension 1 (the input's width)",
                       table[1], input[2])))
    return failure();
  std::optional<int64_t> paddingIdx = getPaddingIdx();
  if (static_cast<bool>(getIds()) != paddingIdx.has_value())
    return emitOpError() << "expects ids and padding_idx together";
  // Counted positions start after the padding row.
  int64_t firstRow = paddingIdx ? *paddingIdx + 1 : 0;
  if (paddingIdx) {
    if (failed(verifyRank(*this, "ids", getIds(), 2)) ||
        failed(verifyDim(*this, "ids dimension 0 (batch)", shapeOf(getIds())[0],
                         input[0])) ||
        failed(verifyDim(*this, "ids dimension 1 (sequence)",
                         shapeOf(getIds())[1], input[1])))
      return failure();
    if (*paddingIdx < 0 ||
        (!ShapedType::isDynamic(table[0]) && *paddingIdx >= table[0]))
      return emitOpError() << "padding_idx " << *paddingIdx
                           << " is not a row of the " << table[0]
                           << "-row position table";
  }
  if (!ShapedType::isDynamic(input[1]) && !ShapedType::isDynamic(table[0]) &&
      firstRow + input[1] > table[0])
    return emitOpError() << "sequence length " << input[1]
                         << (paddingIdx ? " after the padding row" : "")
                         << " exceeds the " << table[0]
                         << " rows of the position table";
  return verifySameElementType(*this,
                               {{"input", getInput()}, {"table", getTable()}});
}

LogicalResult SinusoidalPositionsOp::verify() {
  if (failed(verifyRank(*this, "input", getInput(), 3)))
    return failure();
  int64_t width = shapeOf(getInput())[2];
  if (!ShapedType::isDynamic(width) && width % 2 != 0)
    return emitOpError() << "expected an even feature width, got " << width;
  return verifyPositive(*this, "base", getBase().convertToDouble());
}

/// Checks that `op` has exactly the scaling parameters of its scaling
/// kind, with a positive factor, and for llama3 positive frequency factors,
/// the high one above the low one, and a positive original length.
static LogicalResult verifyRopeScaling(RopeOp op) {
  std::optional<RopeScaling> scaling = op.getScaling();
  bool isLlama3 = scaling == RopeScaling::Llama3;
  auto verifyPresence = [&](StringRef name, bool isPresent,
                            bool isExpected) -> LogicalResult {
    if (isPresent == isExpected)
      return success();
    InFlightDiagnostic diagnostic = op.emitOpError();
    diagnostic << (isExpected ? "expected " : "unexpected ") << name;
    if (scaling)
      diagnostic << " with scaling " << stringifyRopeScaling(*scaling);
    else
      diagnostic << " without scaling";
    return diagnostic;
  };
  if (failed(verifyPresence("factor", op.getFactor().has_value(),
                            scaling.has_value())) ||
      failed(verifyPresence("low_freq_factor",
                            op.getLowFreqFactor().has_value(), isLlama3)) ||
      failed(verifyPresence("high_freq_factor",
                            op.getHighFreqFactor().has_value(), isLlama3)) ||
      failed(verifyPresence("original_max_positions",
                            op.getOriginalMaxPositions().has_value(),
                            isLlama3)))
    return failure();
  if (!scaling)
    return success();
  if (failed(verifyPositive(op, "factor", op.getFactor()->convertToDouble())))
    return failure();
  if (!isLlama3)
    return success();
  double low = op.getLowFreqFactor()->convertToDouble();
  double high = op.getHighFreqFactor()->convertToDouble();
  if (failed(verifyPositive(op, "low_freq_factor", low)) ||
      failed(
          verifyPositive(op, "original_max_positions",
                         static_cast<int64_t>(*op.getOriginalMaxPositions()))))
    return failure();
  if (!(high > low))
    return op.emitOpError()
           << "expected high_freq_factor to be greater than low_freq_factor "
           << low << ", got " << high;
  return success();
}

LogicalResult RopeOp::verify() {
  if (failed(verifyRank(*this, "input", getInput(), 4)))
    return failure();
  int64_t headDim = shapeOf(getInput())[3];
  std::optional<int64_t> rotaryDim = getRotaryDim();
  int64_t rotated = rotaryDim.value_or(headDim);
  if (rotaryDim && failed(verifyPositive(*this, "rotary_dim", *rotaryDim)))
    return failure();
  if (!ShapedType::isDynamic(rotated) && rotated % 2 != 0)
    return emitOpError() << "expected an even number of rotated features, got "
                         << rotated;
  if (rotaryDim && !ShapedType::isDynamic(headDim) && *rotaryDim > headDim)
    return emitOpError() << "expected rotary_dim to be at most the head size "
                         << headDim << ", got " << *rotaryDim;
  if (failed(verifyPositive(*this, "theta", getTheta().convertToDouble())))
    return failure();
  return verifyRopeScaling(*this);
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(verifyMinRank(*this, "input", getInput(), 1)) ||
      failed(verifyRank(*this, "weight", getWeight(), 2)))
    return failure();
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> weight = shapeOf(getWeight());
  if (failed(verifyDim(*this,
                       "weight dimension 1 (in_features, the input's last "
                       "dimension)",
                       weight[1], input.back())))
    return failure();
  if (Value bias = getBias())
    if (failed(verifyRank(*this, "bias", bias, 1)) ||
        failed(verifyDim(*this, "bias size (out_features)", shapeOf(bias)[0],
                         weight[0])))
      return failure();
  SmallVector<int64_t> expected(input.drop_back());
  expected.push_back(weight[0]);
  if (failed(verifyShape(*this, "result", shapeOf(getOutput()), expected)))
    return failure();
  if (Value residual = getResidual())
    if (failed(verifyShape(*this, "residual", shapeOf(residual), expected)))
      return failure();
  return verifySameElementType(*this, {{"input", getInput()},
                                       {"weight", getWeight()},
                                       {"bias", getBias()},
                                       {"residual", getResidual()},
                                       {"result", getOutput()}});
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyMinRank(*this, "lhs", getLhs(), 2)))
    return failure();
  ArrayRef<int64_t> lhs = shapeOf(getLhs());
  ArrayRef<int64_t> rhs = shapeOf(getRhs());
  if (failed(verifyRank(*this, "rhs", getRhs(), lhs.size())))
    return failure();
  size_t rank = lhs.size();
  int64_t m = lhs[rank - 2], lhsK = lhs[rank - 1];
  if (getTransposeLhs())
    std::swap(m, lhsK);
  int64_t rhsK = rhs[rank - 2], n = rhs[rank - 1];
  if (getTransposeRhs())
    std::swap(rhsK, n);
  if (!areDimsCompatible(lhsK, rhsK))
    return emitOpError() << "expected matching contraction dimensions, got "
                         << formatDim(lhsK) << " (lhs) and "
                         << formatDim(rhsK) << " (rhs)";
  ArrayRef<int64_t> lhsBatch = lhs.drop_back(2), rhsBatch = rhs.drop_back(2);
  if (failed(verifyShape(*this, "rhs batch", rhsBatch, lhsBatch)))
    return failure();
  SmallVector<int64_t> expected(lhsBatch);
  expected.append({m, n});
  if (failed(verifyShape(*this, "result", shapeOf(getOutput()), expected)))
    return failure();
  return verifySameElementType(
      *this, {{"lhs", getLhs()}, {"rhs", getRhs()}, {"result", getOutput()}});
}

//===----------------------------------------------------------------------===//
// Elementwise arithmetic
//===----------------------------------------------------------------------===//

/// Shared verifier of the broadcasting binary ops.
static LogicalResult verifyBroadcastBinary(Operation *op) {
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  Value output = op->getResult(0);
  std::optional<SmallVector<int64_t>> expected =
      broadcastShapes(shapeOf(lhs), shapeOf(rhs));
  if (!expected)
    return op->emitOpError()
           << "operand shapes " << formatShape(shapeOf(lhs)) << " and "
           << formatShape(shapeOf(rhs)) << " do not broadcast";
  if (failed(verifyShape(op, "result", shapeOf(output), *expected)))
    return failure();
  return verifySameElementType(
      op, {{"lhs", lhs}, {"rhs", rhs}, {"result", output}});
}

LogicalResult AddOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult SubOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult MulOp::verify() { return verifyBroadcastBinary(*this); }
LogicalResult DivOp::verify() { return verifyBroadcastBinary(*this); }

//===----------------------------------------------------------------------===//
// Normalisation and softmax
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::verify() {
  return verifyNormParameters(*this, getInput(), getGamma(), getBeta(),
                              getEpsilon().convertToDouble());
}

LogicalResult RmsNormOp::verify() {
  return verifyNormParameters(*this, getInput(), getGamma(), Value(),
                              getEpsilon().convertToDouble());
}

LogicalResult AddLayerNormOp::verify() {
  return verifyNormParameters(*this, getInput(), getGamma(), getBeta(),
                              getEpsilon().convertToDouble());
}

LogicalResult AddRmsNormOp::verify() {
  return verifyNormParameters(*this, getInput(), getGamma(), Value(),
                              getEpsilon().convertToDouble());
}

LogicalResult SoftmaxOp::verify() {
  int64_t rank = shapeOf(getInput()).size();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "expected axis in [0, " << rank << "), got "
                         << axis;
  return success();
}

//===----------------------------------------------------------------------===//
// Attention masks
//===----------------------------------------------------------------------===//

LogicalResult CausalMaskOp::verify() { return verifyScores(*this, getScores()); }

LogicalResult SlidingWindowMaskOp::verify() {
  if (failed(verifyScores(*this, getScores())))
    return failure();
  // The getter of an I64Attr is unsigned; read the signed value instead.
  return verifyPositive(*this, "window", getWindowAttr().getInt());
}

LogicalResult PaddingMaskOp::verify() {
  if (failed(verifyRank(*this, "scores", getScores(), 4)))
    return failure();
  ArrayRef<int64_t> scores = shapeOf(getScores());
  return verifyKeyMask(*this, getAttentionMask(), scores[0], scores[3]);
}

//===----------------------------------------------------------------------===//
// Layout: heads, transposes and reshapes
//===----------------------------------------------------------------------===//

/// Checks that `merged` ([batch, seq, heads * head_dim]) and `split`
/// ([batch, heads, seq, head_dim]) describe the same tensor; `splitName`
/// names the split side in diagnostics.
static LogicalResult verifyHeadLayout(Operation *op, Value merged, Value split,
                                      StringRef mergedName,
                                      StringRef splitName) {
  if (failed(verifyRank(op, mergedName, merged, 3)) ||
      failed(verifyRank(op, splitName, split, 4)))
    return failure();
  ArrayRef<int64_t> m = shapeOf(merged), s = shapeOf(split);
  int64_t heads = s[1], headDim = s[3];
  if (ShapedType::isDynamic(heads) || ShapedType::isDynamic(headDim))
    return op->emitOpError() << "expected static heads and head size in the "
                             << splitName << " type, got "
                             << formatShape(s);
  SmallVector<int64_t> expected = {m[0], heads, m[1], headDim};
  if (!ShapedType::isDynamic(m[2]) && m[2] != heads * headDim)
    return op->emitOpError()
           << "expected " << mergedName << " width " << m[2] << " to equal "
           << heads << " heads x " << headDim << " head size";
  return verifyShape(op, splitName, s, expected);
}

LogicalResult SplitHeadsOp::verify() {
  if (failed(verifyHeadLayout(*this, getInput(), getOutput(), "input",
                              "result")))
    return failure();
  return verifySameElementType(*this,
                               {{"input", getInput()}, {"result", getOutput()}});
}

LogicalResult MergeHeadsOp::verify() {
  if (failed(verifyHeadLayout(*this, getOutput(), getInput(), "result",
                              "input")))
    return failure();
  return verifySameElementType(*this,
                               {{"input", getInput()}, {"result", getOutput()}});
}

LogicalResult RepeatKvOp::verify() {
  if (failed(verifyRank(*this, "input", getInput(), 4)) ||
      failed(verifyRank(*this, "result", getOutput(), 4)))
    return failure();
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> output = shapeOf(getOutput());
  int64_t inHeads = input[1], outHeads = output[1];
  if (ShapedType::isDynamic(inHeads) || ShapedType::isDynamic(outHeads))
    return emitOpError() << "expected static head counts, got "
                         << formatDim(inHeads) << " and "
                         << formatDim(outHeads);
  if (failed(verifyPositive(*this, "input heads", inHeads)))
    return failure();
  if (outHeads % inHeads != 0)
    return emitOpError() << "expected result heads " << outHeads
                         << " to be a multiple of the input's " << inHeads
                         << " heads";
  SmallVector<int64_t> expected = {input[0], outHeads, input[2], input[3]};
  if (failed(verifyShape(*this, "result", output, expected)))
    return failure();
  return verifySameElementType(*this,
                               {{"input", getInput()}, {"result", getOutput()}});
}

LogicalResult TransposeOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> permutation = getPermutation();
  if (permutation.size() != input.size())
    return emitOpError() << "expected a permutation of " << input.size()
                         << " dimensions, got " << permutation.size();
  SmallVector<bool> seen(input.size(), false);
  SmallVector<int64_t> expected;
  for (int64_t dim : permutation) {
    if (dim < 0 || dim >= static_cast<int64_t>(input.size()) || seen[dim])
      return emitOpError() << "expected a permutation of [0, " << input.size()
                           << "), got [" << permutation << "]";
    seen[dim] = true;
    expected.push_back(input[dim]);
  }
  if (failed(verifyShape(*this, "result", shapeOf(getOutput()), expected)))
    return failure();
  return verifySameElementType(*this,
                               {{"input", getInput()}, {"result", getOutput()}});
}

LogicalResult ReshapeOp::verify() {
  auto inputType = cast<RankedTensorType>(getInput().getType());
  auto outputType = cast<RankedTensorType>(getOutput().getType());
  if (inputType.getNumDynamicDims() != outputType.getNumDynamicDims())
    return emitOpError() << "expected as many dynamic dimensions in the result "
                            "as in the input ("
                         << inputType.getNumDynamicDims() << "), got "
                         << outputType.getNumDynamicDims();
  auto staticProduct = [](ArrayRef<int64_t> shape) {
    int64_t product = 1;
    for (int64_t dim : shape)
      if (!ShapedType::isDynamic(dim))
        product *= dim;
    return product;
  };
  int64_t inputElements = staticProduct(inputType.getShape());
  int64_t outputElements = staticProduct(outputType.getShape());
  if (inputElements != outputElements)
    return emitOpError() << "expected the static dimensions of the result to "
                            "hold "
                         << inputElements << " elements (the input's), got "
                         << outputElements;
  return verifySameElementType(*this,
                               {{"input", getInput()}, {"result", getOutput()}});
}

LogicalResult SliceOp::verify() {
  ArrayRef<int64_t> input = shapeOf(getInput());
  ArrayRef<int64_t> output = shapeOf(getOutput());
  int64_t rank = input.size(), axis = getAxis(), offset = getOffset();
  if (failed(verifyRank(*this, "result", getOutput(), rank)))
    return failure();
  if (axis < 0 || axis >= rank)
    return emitOpError() << "expected axis in [0, " << rank << "), got "
                         << axis;
  if (ShapedType::isDynamic(output[axis]))
    return emitOpError() << "expected a static result size along axis "
                         << axis;
  int64_t size = output[axis];
  // A negative offset counts from the end, so the slice must end by then.
  if (offset < 0 && offset + size > 0)
    return emitOpError() << "expected a negative offset of at most " << -size
                         << " (minus the result size along axis " << axis
                         << "), got " << offset;
  if (!ShapedType::isDynamic(input[axis])) {
    int64_t start = getStart(input[axis]);
    if (start < 0 || start + size > input[axis])
      return emitOpError() << "slice [" << start << ", " << start + size
                           << ") exceeds the size " << input[axis]
                           << " of axis " << axis;
  }
  SmallVector<int64_t> expected(input);
  expected[axis] = output[axis];
  if (failed(verifyShape(*this, "result", output, expected)))
    return failure();
  return verifySameElementType(*this,
                               {{"input", getInput()}, {"result", getOutput()}});
}

//===----------------------------------------------------------------------===//
// Fused attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  if (failed(verifyRank(*this, "query", getQuery(), 4)) ||
      failed(verifyRank(*this, "key", getKey(), 4)) ||
      failed(verifyRank(*this, "value", getValue(), 4)))
    return failure();
  ArrayRef<int64_t> q = shapeOf(getQuery()), k = shapeOf(getKey()),
                    v = shapeOf(getValue());
  if (failed(verifyDim(*this, "key dimension 0 (batch)", k[0], q[0])) ||
      failed(verifyDim(*this, "value dimension 0 (batch)", v[0], q[0])) ||
      failed(verifyDim(*this, "value dimension 1 (key/value heads)", v[1],
                       k[1])) ||
      failed(verifyDim(*this, "value dimension 2 (keys)", v[2], k[2])) ||
      failed(verifyDim(*this, "key dimension 3 (the query's head size)", k[3],
                       q[3])))
    return failure();
  int64_t queryHeads = q[1], kvHeads = k[1];
  if (!ShapedType::isDynamic(kvHeads) &&
      failed(verifyPositive(*this, "key/value heads", kvHeads)))
    return failure();
  if (!ShapedType::isDynamic(queryHeads) && !ShapedType::isDynamic(kvHeads) &&
      queryHeads % kvHeads != 0)
    return emitOpError() << "expected query heads " << queryHeads
                         << " to be a multiple of key/value heads " << kvHeads;
  SmallVector<int64_t> expected = {q[0], q[1], q[2], v[3]};
  if (failed(verifyShape(*this, "result", shapeOf(getOutput()), expected)))
    return failure();
  if (Value padding = getKeyPadding())
    if (failed(verifyKeyMask(*this, padding, q[0], k[2])))
      return failure();
  bool isWindowed = getMask() == MaskKind::SlidingWindow;
  if (isWindowed != getWindow().has_value())
    return emitOpError() << "expected a window exactly when the mask is "
                            "sliding_window, got mask "
                         << stringifyMaskKind(getMask())
                         << (getWindow() ? " with" : " without") << " a window";
  if (IntegerAttr window = getWindowAttr())
    if (failed(verifyPositive(*this, "window", window.getInt())))
      return failure();
  return verifySameElementType(*this, {{"query", getQuery()},
                                       {"key", getKey()},
                                       {"value", getValue()},
                                       {"result", getOutput()}});
}

//===----------------------------------------------------------------------===//
// Model outputs
//===----------------------------------------------------------------------===//

LogicalResult MeanPoolOp::verify() {
  if (failed(verifyRank(*this, "input", getInput(), 3)))
    return failure();
  ArrayRef<int64_t> input = shapeOf(getInput());
  if (failed(verifyShape(*this, "result", shapeOf(getOutput()),
                         {input[0], input[2]})))
    return failure();
  if (Value mask = getAttentionMask())
    if (failed(verifyKeyMask(*this, mask, input[0], input[1])))
      return failure();
  return verifySameElementType(*this,
                               {{"input", getInput()}, {"result", getOutput()}});
}

#define GET_OP_CLASSES
#include "dialect/KilnOps.cpp.inc"
