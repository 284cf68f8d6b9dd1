//===- Constants.cpp - Reference evaluation of arith.constant -------------===//
//
// Turns dense tensor constants (splats and arrays, float or integer) into
// reference tensors. Integers keep their value as the element type reads it:
// `i1` is 0 or 1, wider integers are signed.
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"

using namespace mlir;

namespace kiln {

LogicalResult evaluateOp(arith::ConstantOp op, ValueTensors &values) {
  auto dense = dyn_cast<DenseElementsAttr>(op.getValue());
  if (!dense || !isa<RankedTensorType>(dense.getType()))
    return op.emitError() << "expected a dense tensor constant, got "
                          << op.getValue();
  ArrayRef<int64_t> shape = dense.getType().getShape();
  Type elementType = dense.getElementType();
  std::vector<double> elements;
  elements.reserve(dense.getNumElements());
  if (isa<FloatType>(elementType)) {
    for (const APFloat &element : dense.getValues<APFloat>())
      elements.push_back(element.convertToDouble());
  } else if (elementType.isInteger(1)) {
    for (const APInt &element : dense.getValues<APInt>())
      elements.push_back(static_cast<double>(element.getZExtValue()));
  } else if (elementType.isIntOrIndex()) {
    for (const APInt &element : dense.getValues<APInt>())
      elements.push_back(static_cast<double>(element.getSExtValue()));
  } else {
    return op.emitError() << "expected float or integer elements, got "
                          << elementType;
  }
  values.bind(op.getResult(), ReferenceTensor(shape, std::move(elements)));
  return success();
}

} // namespace kiln
