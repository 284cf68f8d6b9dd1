//===- ShapeInference.cpp - Concrete result shapes of kiln ops ------------===//
//
// Each rule fills the dynamic result dimensions from the operand dimension
// that the op's definition (KilnOps.td) says it equals; static result
// dimensions are taken from the result type and checked against the
// operands by the op verifiers already.
//
//===----------------------------------------------------------------------===//

#include "dialect/ShapeInference.h"
#include "dialect/KilnOps.h"
#include "dialect/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace kiln;

namespace {

/// Fills the dynamic dimensions of `type` from `source`, dimension by
/// dimension (`source[i]` for dynamic dimension `i`).
ConcreteShape fillDynamic(Type type, ArrayRef<int64_t> source) {
  ConcreteShape shape(cast<RankedTensorType>(type).getShape());
  for (auto [i, dim] : llvm::enumerate(shape))
    if (ShapedType::isDynamic(dim))
      dim = source[i];
  return shape;
}

/// The result shape of an op whose results all have the shape of operand 0.
SmallVector<ConcreteShape> sameAsFirstOperand(Operation *op,
                                              ArrayRef<ConcreteShape> operands) {
  return SmallVector<ConcreteShape>(op->getNumResults(), operands[0]);
}

} // namespace

FailureOr<SmallVector<ConcreteShape>>
kiln::inferConcreteResultShapes(Operation *op,
                                      ArrayRef<ConcreteShape> operands) {
  Type resultType = op->getNumResults() ? op->getResult(0).getType() : Type();
  using Shapes = FailureOr<SmallVector<ConcreteShape>>;
  auto single = [](ConcreteShape shape) -> Shapes {
    return SmallVector<ConcreteShape>{std::move(shape)};
  };
  return llvm::TypeSwitch<Operation *, Shapes>(op)
      .Case<LearnedPositionsOp, SinusoidalPositionsOp, RopeOp, ScaleOp,
            ActivationOp, CastOp, LayerNormOp, RmsNormOp, AddLayerNormOp,
            AddRmsNormOp, SoftmaxOp, CausalMaskOp, SlidingWindowMaskOp,
            PaddingMaskOp, L2NormalizeOp>(
          [&](Operation *) -> Shapes { return sameAsFirstOperand(op, operands); })
      .Case([&](EmbeddingOp) {
        ConcreteShape shape(operands[1]);
        shape.push_back(operands[0][1]);
        return single(shape);
      })
      .Case([&](LinearOp) {
        ConcreteShape shape(operands[0]);
        shape.back() = operands[1][0];
        return single(shape);
      })
      .Case([&](MatmulOp matmul) {
        const ConcreteShape &lhs = operands[0], &rhs = operands[1];
        size_t rank = lhs.size();
        ConcreteShape shape(lhs.begin(), lhs.end() - 2);
        shape.push_back(matmul.getTransposeLhs() ? lhs[rank - 1]
                                                 : lhs[rank - 2]);
        shape.push_back(matmul.getTransposeRhs() ? rhs[rank - 2]
                                                 : rhs[rank - 1]);
        return single(shape);
      })
      .Case<AddOp, SubOp, MulOp, DivOp>([&](Operation *) -> Shapes {
        std::optional<SmallVector<int64_t>> shape =
            broadcastShapes(operands[0], operands[1]);
        if (!shape)
          return op->emitOpError()
                 << "operand shapes " << formatShape(operands[0]) << " and "
                 << formatShape(operands[1]) << " do not broadcast";
        return single(*shape);
      })
      .Case([&](SplitHeadsOp) {
        const ConcreteShape &in = operands[0];
        return single(fillDynamic(resultType, {in[0], 0, in[1], 0}));
      })
      .Case([&](MergeHeadsOp) {
        const ConcreteShape &in = operands[0];
        return single(fillDynamic(resultType, {in[0], in[2], in[1] * in[3]}));
      })
      .Case([&](RepeatKvOp) {
        return single(fillDynamic(resultType, operands[0]));
      })
      .Case([&](TransposeOp transpose) {
        ConcreteShape shape;
        for (int64_t dim : transpose.getPermutation())
          shape.push_back(operands[0][dim]);
        return single(shape);
      })
      .Case([&](ReshapeOp reshape) -> Shapes {
        // The k-th dynamic result dimension is the k-th dynamic input one.
        ArrayRef<int64_t> inputType = reshape.getInput().getType().getShape();
        SmallVector<int64_t> dynamicSizes;
        for (auto [typeDim, size] : llvm::zip_equal(inputType, operands[0]))
          if (ShapedType::isDynamic(typeDim))
            dynamicSizes.push_back(size);
        ConcreteShape shape(reshape.getOutput().getType().getShape());
        auto next = dynamicSizes.begin();
        for (int64_t &dim : shape)
          if (ShapedType::isDynamic(dim))
            dim = *next++;
        return single(shape);
      })
      .Case([&](SliceOp slice) {
        ConcreteShape shape(operands[0]);
        shape[slice.getAxis()] =
            slice.getOutput().getType().getDimSize(slice.getAxis());
        return single(shape);
      })
      .Case([&](AttentionOp) {
        const ConcreteShape &q = operands[0], &v = operands[2];
        return single({q[0], q[1], q[2], v[3]});
      })
      .Case([&](MeanPoolOp) {
        const ConcreteShape &in = operands[0];
        return single({in[0], in[2]});
      })
      .Case([&](arith::ConstantOp constant) {
        return single(ConcreteShape(
            cast<RankedTensorType>(constant.getType()).getShape()));
      })
      .Default([&](Operation *) -> Shapes {
        return op->emitOpError() << "has no shape inference rule";
      });
}
