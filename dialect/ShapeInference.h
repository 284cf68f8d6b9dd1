//===- ShapeInference.h - Concrete result shapes of kiln ops ----*- C++ -*-===//
//
// Computes the sizes of an op's results from the sizes of its operands, for
// ops whose types leave dimensions dynamic. The memory planner runs it with
// the maximum batch and sequence length to size every buffer; anything that
// evaluates kiln IR on concrete inputs can run it with actual sizes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_SHAPEINFERENCE_H
#define KILN_DIALECT_SHAPEINFERENCE_H

#include "mlir/IR/Operation.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"

namespace kiln {

/// A fully static shape.
using ConcreteShape = llvm::SmallVector<int64_t>;

/// Computes the concrete shape of every result of `op` (a kiln op or an
/// `arith.constant`) given the concrete shapes of its operands, which must
/// be compatible with the operand types. Emits an error on `op` and fails
/// for ops it does not know or operand sizes the op's semantics reject.
mlir::FailureOr<llvm::SmallVector<ConcreteShape>>
inferConcreteResultShapes(mlir::Operation *op,
                          llvm::ArrayRef<ConcreteShape> operandShapes);

} // namespace kiln

#endif // KILN_DIALECT_SHAPEINFERENCE_H
