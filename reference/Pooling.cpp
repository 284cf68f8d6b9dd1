//===- Pooling.cpp - Reference evaluation of sentence-embedding outputs ---===//
//
// Mean pooling over the sequence, optionally only over the positions an
// attention mask keeps, and L2 normalisation with PyTorch's clamp of the
// norm (`F.normalize`).
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace kiln;

namespace kiln {

LogicalResult evaluateOp(MeanPoolOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  const ReferenceTensor *mask = values.lookupOptional(op.getAttentionMask());
  int64_t batch = input.getDimSize(0), seq = input.getDimSize(1),
          width = input.getDimSize(2);
  if (mask &&
      failed(checkShape(op, "attention mask", mask->getShape(), {batch, seq})))
    return failure();
  ReferenceTensor output({batch, width});
  for (int64_t b = 0; b < batch; ++b) {
    int64_t count = 0;
    for (int64_t s = 0; s < seq; ++s) {
      if (mask && mask->at({b, s}) == 0)
        continue;
      ++count;
      for (int64_t d = 0; d < width; ++d)
        output.at({b, d}) += input.at({b, s, d});
    }
    // A sequence without kept positions pools to zeros, as it does in
    // sentence-transformers, which clamps the count away from zero.
    if (count == 0)
      continue;
    for (int64_t d = 0; d < width; ++d)
      output.at({b, d}) /= count;
  }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(L2NormalizeOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  double epsilon = op.getEpsilon().convertToDouble();
  int64_t width = input.getShape().back();
  ReferenceTensor output(input.getShape());
  for (int64_t start = 0, e = input.getNumElements(); start < e;
       start += width) {
    double sumSquares = 0.0;
    for (int64_t i = 0; i < width; ++i)
      sumSquares += input[start + i] * input[start + i];
    double norm = std::max(std::sqrt(sumSquares), epsilon);
    for (int64_t i = 0; i < width; ++i)
      output[start + i] = input[start + i] / norm;
  }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

} // namespace kiln
