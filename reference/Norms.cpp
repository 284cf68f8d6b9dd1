//===- Norms.cpp - Reference evaluation of layer and RMS norms ------------===//
//
// Layer normalisation (with the biased variance, as PyTorch computes it) and
// RMS normalisation over the last dimension, alone or fused with the
// residual add before them. The fused forms return the sum too, because it
// is the next residual.
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"

#include <cmath>

using namespace mlir;
using namespace kiln;

namespace kiln {

namespace {

/// Checks that `gamma` and the optional `beta` have the input's `width`.
LogicalResult checkNormParameters(Operation *op, int64_t width,
                                  const ReferenceTensor &gamma,
                                  const ReferenceTensor *beta) {
  if (failed(checkSize(op, "gamma size (the input's last dimension)",
                       gamma.getDimSize(0), width)))
    return failure();
  if (beta && failed(checkSize(op, "beta size (the input's last dimension)",
                               beta->getDimSize(0), width)))
    return failure();
  return success();
}

/// `(x - mean(x)) / sqrt(var(x) + epsilon) * gamma (+ beta)` over the last
/// dimension of `input`, with the biased variance.
FailureOr<ReferenceTensor> layerNorm(Operation *op,
                                     const ReferenceTensor &input,
                                     const ReferenceTensor &gamma,
                                     const ReferenceTensor *beta,
                                     double epsilon) {
  int64_t width = input.getShape().back();
  if (failed(checkNormParameters(op, width, gamma, beta)))
    return failure();
  ReferenceTensor output(input.getShape());
  for (int64_t start = 0, e = input.getNumElements(); start < e;
       start += width) {
    ArrayRef<double> row = input.getElements().slice(start, width);
    double mean = 0.0;
    for (double x : row)
      mean += x;
    mean /= width;
    double variance = 0.0;
    for (double x : row)
      variance += (x - mean) * (x - mean);
    variance /= width;
    double invStdDev = 1.0 / std::sqrt(variance + epsilon);
    for (int64_t i = 0; i < width; ++i)
      output[start + i] = (row[i] - mean) * invStdDev * gamma[i] +
                          (beta ? (*beta)[i] : 0.0);
  }
  return output;
}

/// `x / sqrt(mean(x^2) + epsilon) * (gamma + gammaOffset)` over the last
/// dimension of `input`.
FailureOr<ReferenceTensor> rmsNorm(Operation *op, const ReferenceTensor &input,
                                   const ReferenceTensor &gamma, double epsilon,
                                   double gammaOffset) {
  int64_t width = input.getShape().back();
  if (failed(checkNormParameters(op, width, gamma, /*beta=*/nullptr)))
    return failure();
  ReferenceTensor output(input.getShape());
  for (int64_t start = 0, e = input.getNumElements(); start < e;
       start += width) {
    ArrayRef<double> row = input.getElements().slice(start, width);
    double meanSquare = 0.0;
    for (double x : row)
      meanSquare += x * x;
    meanSquare /= width;
    double invRms = 1.0 / std::sqrt(meanSquare + epsilon);
    for (int64_t i = 0; i < width; ++i)
      output[start + i] = row[i] * invRms * (gamma[i] + gammaOffset);
  }
  return output;
}

/// `input + residual`, which must have the same shape.
FailureOr<ReferenceTensor> residualSum(Operation *op,
                                       const ReferenceTensor &input,
                                       const ReferenceTensor &residual) {
  if (failed(checkShape(op, "residual", residual.getShape(),
                        input.getShape())))
    return failure();
  ReferenceTensor sum(input.getShape());
  for (int64_t i = 0, e = input.getNumElements(); i < e; ++i)
    sum[i] = input[i] + residual[i];
  return sum;
}

} // namespace

LogicalResult evaluateOp(LayerNormOp op, ValueTensors &values) {
  FailureOr<ReferenceTensor> output = layerNorm(
      op, values.lookup(op.getInput()), values.lookup(op.getGamma()),
      values.lookupOptional(op.getBeta()), op.getEpsilon().convertToDouble());
  if (failed(output))
    return failure();
  values.bind(op.getOutput(), std::move(*output));
  return success();
}

LogicalResult evaluateOp(RmsNormOp op, ValueTensors &values) {
  FailureOr<ReferenceTensor> output =
      rmsNorm(op, values.lookup(op.getInput()), values.lookup(op.getGamma()),
              op.getEpsilon().convertToDouble(), op.getGammaOffsetOrZero());
  if (failed(output))
    return failure();
  values.bind(op.getOutput(), std::move(*output));
  return success();
}

LogicalResult evaluateOp(AddLayerNormOp op, ValueTensors &values) {
  FailureOr<ReferenceTensor> sum = residualSum(
      op, values.lookup(op.getInput()), values.lookup(op.getResidual()));
  if (failed(sum))
    return failure();
  FailureOr<ReferenceTensor> output = layerNorm(
      op, *sum, values.lookup(op.getGamma()),
      values.lookupOptional(op.getBeta()), op.getEpsilon().convertToDouble());
  if (failed(output))
    return failure();
  values.bind(op.getSum(), std::move(*sum));
  values.bind(op.getOutput(), std::move(*output));
  return success();
}

LogicalResult evaluateOp(AddRmsNormOp op, ValueTensors &values) {
  FailureOr<ReferenceTensor> sum = residualSum(
      op, values.lookup(op.getInput()), values.lookup(op.getResidual()));
  if (failed(sum))
    return failure();
  FailureOr<ReferenceTensor> output =
      rmsNorm(op, *sum, values.lookup(op.getGamma()),
              op.getEpsilon().convertToDouble(), op.getGammaOffsetOrZero());
  if (failed(output))
    return failure();
  values.bind(op.getSum(), std::move(*sum));
  values.bind(op.getOutput(), std::move(*output));
  return success();
}

} // namespace kiln
