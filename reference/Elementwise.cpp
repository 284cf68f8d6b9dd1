//===- Elementwise.cpp - Reference evaluation of elementwise ops ----------===//
//
// The broadcasting binary ops (NumPy rules: trailing dimensions align, a
// dimension of size 1 stretches), scaling, the activation functions shared
// with the epilogue of `kiln.linear`, and casts, which round to the result's
// element type so that the reference sees the precision a cast loses.
//
//===----------------------------------------------------------------------===//

#include "reference/OpEvaluators.h"

#include "dialect/ShapeUtils.h"

#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <cmath>
#include <functional>

using namespace mlir;
using namespace kiln;

namespace kiln {

namespace {

/// The row-major position in an operand of `operandShape` that the result
/// element at `resultIndex` reads after broadcasting.
int64_t broadcastPosition(ArrayRef<int64_t> resultIndex,
                          ArrayRef<int64_t> operandShape) {
  // The operand's dimensions align with the trailing ones of the result.
  ArrayRef<int64_t> aligned = resultIndex.take_back(operandShape.size());
  int64_t position = 0;
  for (auto [index, size] : llvm::zip_equal(aligned, operandShape))
    position = position * size + (size == 1 ? 0 : index);
  return position;
}

/// Evaluates the broadcasting binary `op` with `function`.
LogicalResult
evaluateBroadcast(Operation *op, ValueTensors &values,
                  llvm::function_ref<double(double, double)> function) {
  const ReferenceTensor &lhs = values.lookup(op->getOperand(0));
  const ReferenceTensor &rhs = values.lookup(op->getOperand(1));
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(lhs.getShape(), rhs.getShape());
  if (!shape)
    return op->emitError() << "operand shapes " << formatShape(lhs.getShape())
                           << " and " << formatShape(rhs.getShape())
                           << " do not broadcast";
  ReferenceTensor output(*shape);
  for (int64_t i = 0, e = output.getNumElements(); i < e; ++i) {
    SmallVector<int64_t> index = output.delinearize(i);
    output[i] = function(lhs[broadcastPosition(index, lhs.getShape())],
                         rhs[broadcastPosition(index, rhs.getShape())]);
  }
  values.bind(op->getResult(0), std::move(output));
  return success();
}

} // namespace

LogicalResult evaluateOp(AddOp op, ValueTensors &values) {
  return evaluateBroadcast(op, values, std::plus<double>());
}

LogicalResult evaluateOp(SubOp op, ValueTensors &values) {
  return evaluateBroadcast(op, values, std::minus<double>());
}

LogicalResult evaluateOp(MulOp op, ValueTensors &values) {
  return evaluateBroadcast(op, values, std::multiplies<double>());
}

LogicalResult evaluateOp(DivOp op, ValueTensors &values) {
  return evaluateBroadcast(op, values, std::divides<double>());
}

LogicalResult evaluateOp(ScaleOp op, ValueTensors &values) {
  double factor = op.getFactor().convertToDouble();
  values.bind(op.getOutput(),
              mapElements(values.lookup(op.getInput()),
                          [factor](double x) { return x * factor; }));
  return success();
}

double applyActivation(ActivationKind kind, double x) {
  switch (kind) {
  case ActivationKind::Relu:
    return std::max(x, 0.0);
  case ActivationKind::Gelu:
    return 0.5 * x * (1.0 + std::erf(x / llvm::numbers::sqrt2));
  case ActivationKind::GeluTanh:
    return 0.5 * x *
           (1.0 + std::tanh(std::sqrt(2.0 / llvm::numbers::pi) *
                            (x + 0.044715 * x * x * x)));
  case ActivationKind::Silu:
    return x / (1.0 + std::exp(-x));
  case ActivationKind::Tanh:
    return std::tanh(x);
  }
  llvm_unreachable("unknown activation kind");
}

LogicalResult evaluateOp(ActivationOp op, ValueTensors &values) {
  ActivationKind kind = op.getKind();
  values.bind(op.getOutput(),
              mapElements(values.lookup(op.getInput()), [kind](double x) {
                return applyActivation(kind, x);
              }));
  return success();
}

LogicalResult evaluateOp(CastOp op, ValueTensors &values) {
  const llvm::fltSemantics &semantics =
      cast<FloatType>(getElementTypeOrSelf(op.getOutput().getType()))
          .getFloatSemantics();
  values.bind(op.getOutput(),
              mapElements(values.lookup(op.getInput()), [&](double x) {
                llvm::APFloat value(x);
                bool losesInfo;
                value.convert(semantics, llvm::APFloat::rmNearestTiesToEven,
                              &losesInfo);
                return value.convertToDouble();
              }));
  return success();
}

} // namespace kiln
