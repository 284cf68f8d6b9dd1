//===- ShapeUtils.h - Shape arithmetic shared by kiln ops -------*- C++ -*-===//
//
// Helpers for reasoning about possibly dynamic tensor shapes: compatibility
// of dimensions, NumPy broadcasting and printing shapes in diagnostics. The
// op verifiers, the passes and the reference evaluator all use them so that
// they agree on what a shape means.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_DIALECT_SHAPEUTILS_H
#define KILN_DIALECT_SHAPEUTILS_H

#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <string>

namespace kiln {

/// Whether two dimension sizes may be equal at run time: they are equal, or
/// at least one of them is dynamic.
bool areDimsCompatible(int64_t lhs, int64_t rhs);

/// Whether two shapes have the same rank and pairwise compatible dimensions.
bool areShapesCompatible(llvm::ArrayRef<int64_t> lhs, llvm::ArrayRef<int64_t> rhs);

/// The shape that NumPy broadcasting gives `lhs` and `rhs` (trailing
/// dimensions aligned, size 1 stretches), or nothing when two static sizes
/// other than 1 differ. A dynamic size broadcast against 1 stays dynamic.
std::optional<llvm::SmallVector<int64_t>>
broadcastShapes(llvm::ArrayRef<int64_t> lhs,
                llvm::ArrayRef<int64_t> rhs);

/// Formats a dimension size for diagnostics: the number, or `?` if dynamic.
std::string formatDim(int64_t dim);

/// Formats a shape as MLIR writes it in a tensor type: `1x?x768`.
std::string formatShape(llvm::ArrayRef<int64_t> shape);

} // namespace kiln

#endif // KILN_DIALECT_SHAPEUTILS_H
