//===- LinearAlgebra.cpp - Reference evaluation of linear and matmul ------===//
//
// Linear layers with their optional fused epilogue, evaluated in the order
// the op description gives: `activation(x * W^T + bias) + residual`, and
// batched matrix products with optional transposes.
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"

using namespace mlir;
using namespace kiln;

namespace kiln {

LogicalResult evaluateOp(LinearOp op, ValueTensors &values) {
  const ReferenceTensor &input = values.lookup(op.getInput());
  const ReferenceTensor &weight = values.lookup(op.getWeight());
  const ReferenceTensor *bias = values.lookupOptional(op.getBias());
  const ReferenceTensor *residual = values.lookupOptional(op.getResidual());
  int64_t inFeatures = input.getShape().back();
  int64_t outFeatures = weight.getDimSize(0);
  if (failed(checkSize(op,
                       "weight dimension 1 (in_features, the input's last "
                       "dimension)",
                       weight.getDimSize(1), inFeatures)))
    return failure();
  if (bias && failed(checkSize(op, "bias size (out_features)",
                               bias->getDimSize(0), outFeatures)))
    return failure();
  SmallVector<int64_t> shape(input.getShape().drop_back());
  shape.push_back(outFeatures);
  if (residual &&
      failed(checkShape(op, "residual", residual->getShape(), shape)))
    return failure();

  std::optional<ActivationKind> activation = op.getActivation();
  int64_t rows = ReferenceTensor::getNumElements(input.getShape().drop_back());
  ReferenceTensor output(shape);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t o = 0; o < outFeatures; ++o) {
      double sum = 0.0;
      for (int64_t i = 0; i < inFeatures; ++i)
        sum += input[r * inFeatures + i] * weight[o * inFeatures + i];
      if (bias)
        sum += (*bias)[o];
      if (activation)
        sum = applyActivation(*activation, sum);
      if (residual)
        sum += (*residual)[r * outFeatures + o];
      output[r * outFeatures + o] = sum;
    }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

LogicalResult evaluateOp(MatmulOp op, ValueTensors &values) {
  const ReferenceTensor &lhs = values.lookup(op.getLhs());
  const ReferenceTensor &rhs = values.lookup(op.getRhs());
  ArrayRef<int64_t> batchShape = lhs.getShape().drop_back(2);
  if (failed(checkShape(op, "rhs batch", rhs.getShape().drop_back(2),
                        batchShape)))
    return failure();
  // Stored sizes of the last two dimensions, before any transpose.
  int64_t lhsRows = lhs.getShape().end()[-2], lhsCols = lhs.getShape().back();
  int64_t rhsRows = rhs.getShape().end()[-2], rhsCols = rhs.getShape().back();
  bool transposeLhs = op.getTransposeLhs(), transposeRhs = op.getTransposeRhs();
  int64_t m = transposeLhs ? lhsCols : lhsRows;
  int64_t k = transposeLhs ? lhsRows : lhsCols;
  int64_t n = transposeRhs ? rhsRows : rhsCols;
  if (failed(checkSize(op, "rhs contraction size (the lhs's)",
                       transposeRhs ? rhsCols : rhsRows, k)))
    return failure();

  int64_t batches = ReferenceTensor::getNumElements(batchShape);
  SmallVector<int64_t> shape(batchShape);
  shape.append({m, n});
  ReferenceTensor output(shape);
  for (int64_t batch = 0; batch < batches; ++batch) {
    const double *a = lhs.getElements().data() + batch * m * k;
    const double *b = rhs.getElements().data() + batch * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0.0;
        for (int64_t c = 0; c < k; ++c)
          sum += (transposeLhs ? a[c * m + i] : a[i * k + c]) *
                 (transposeRhs ? b[j * k + c] : b[c * n + j]);
        output[(batch * m + i) * n + j] = sum;
      }
  }
  values.bind(op.getOutput(), std::move(output));
  return success();
}

} // namespace kiln
