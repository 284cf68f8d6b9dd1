//===- Layout.cpp - Reference evaluation of layout ops --------------------===//
//
// Ops that only move elements: splitting features into attention heads and
// merging them back, repeating key/value heads for grouped-query attention,
// transposes, reshapes and slices. Sizes that the result type leaves
// dynamic, and the start of a slice counted from the end, come from the
// operand at run time, as the op descriptions say.
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;
using namespace kiln;

namespace kiln {

namespace {

/// The static shape that the type of `value` declares.
ArrayRef<int64_t> typeShape(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

} // namespace

LogicalResult evaluateOp(SplitHeadsOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  int64_t batch = input.getDimSize(0), seq = input.getDimSize(1);
  // The verifier guarantees a static head count and head size.
  int64_t heads = typeShape(op.getOutput())[1];
  int64_t headDim = typeShape(op.getOutput())[3];
  if (failed(checkSize(op, "input width (heads x head size)",
                       input.getDimSize(2), heads * headDim)))
    return failure();
  ReferenceTensor output({batch, heads, seq, headDim});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t s = 0; s < seq; ++s)
        for (int64_t d = 0; d < headDim; ++d)
          output.at({b, h, s, d}) = input.at({b, s, h * headDim + d});
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(MergeHeadsOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  int64_t batch = input.getDimSize(0), heads = input.getDimSize(1),
          seq = input.getDimSize(2), headDim = input.getDimSize(3);
  ReferenceTensor output({batch, seq, heads * headDim});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t s = 0; s < seq; ++s)
        for (int64_t d = 0; d < headDim; ++d)
          output.at({b, s, h * headDim + d}) = input.at({b, h, s, d});
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(RepeatKvOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  int64_t batch = input.getDimSize(0), kvHeads = input.getDimSize(1),
          seq = input.getDimSize(2), headDim = input.getDimSize(3);
  // The verifier guarantees static head counts, the result's a multiple.
  int64_t heads = typeShape(op.getOutput())[1];
  int64_t repeats = heads / kvHeads;
  ReferenceTensor output({batch, heads, seq, headDim});
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t h = 0; h < heads; ++h)
      for (int64_t s = 0; s < seq; ++s)
        for (int64_t d = 0; d < headDim; ++d)
          output.at({b, h, s, d}) = input.at({b, h / repeats, s, d});
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(TransposeOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  ArrayRef<int64_t> permutation = op.getPermutation();
  SmallVector<int64_t> shape;
  for (int64_t dim : permutation)
    shape.push_back(input.getDimSize(dim));
  ReferenceTensor output(shape);
  SmallVector<int64_t> inputIndex(input.getRank());
  for (int64_t i = 0, e = output.getNumElements(); i < e; ++i) {
    SmallVector<int64_t> outputIndex = output.delinearize(i);
    for (auto [outputDim, inputDim] : llvm::enumerate(permutation))
      inputIndex[inputDim] = outputIndex[outputDim];
    output[i] = input.at(inputIndex);
  }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(ReshapeOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  // The k-th dynamic dimension of the result takes the size of the k-th
  // dynamic dimension of the input.
  SmallVector<int64_t> dynamicSizes;
  for (auto [dim, size] : llvm::enumerate(typeShape(op.getInput())))
    if (ShapedType::isDynamic(size))
      dynamicSizes.push_back(input.getDimSize(dim));
  SmallVector<int64_t> shape;
  auto nextDynamicSize = dynamicSizes.begin();
  for (int64_t size : typeShape(op.getOutput()))
    shape.push_back(ShapedType::isDynamic(size) ? *nextDynamicSize++ : size);
  if (failed(checkSize(op, "result element count (the input's)",
                       ReferenceTensor::getNumElements(shape),
                       input.getNumElements())))
    return failure();
  values.bind(op.getOutput(),
              ReferenceTensor(shape, std::vector<double>(
                                         input.getElements().begin(),
                                         input.getElements().end())));
  return success();
}

LogicalResult evaluateOp(SliceOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  int64_t axis = op.getAxis();
  // The verifier guarantees a static result size along the axis.
  int64_t size = typeShape(op.getOutput())[axis];
  int64_t inputSize = input.getDimSize(axis);
  int64_t start = op.getStart(inputSize);
  if (start < 0 || start + size > inputSize)
    return op.emitError() << "slice [" << start << ", " << start + size
                          << ") exceeds the size " << inputSize << " of axis "
                          << axis;
  SmallVector<int64_t> shape(input.getShape());
  shape[axis] = size;
  int64_t outer =
      ReferenceTensor::getNumElements(ArrayRef(shape).take_front(axis));
  int64_t inner =
      ReferenceTensor::getNumElements(ArrayRef(shape).drop_front(axis + 1));
  ReferenceTensor output(shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < size; ++k)
      for (int64_t i = 0; i < inner; ++i)
        output[(o * size + k) * inner + i] =
            input[(o * inputSize + start + k) * inner + i];
  values.bind(op.getOutput(), std::move(output));
  return success();
}

} // namespace kiln
