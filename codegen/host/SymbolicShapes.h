//===- SymbolicShapes.h - Tensor sizes in terms of run-time sizes -*- C++ -*-===//
//
// Host code must know every tensor's sizes at run time. Every dynamic
// dimension of a forward function is one of a few run-time sizes of the
// model — the batch, the sequence length, the encoder's sequence length —
// so each dimension is either static or one of those size symbols, encoded
// as in the model ABI (kiln/model_abi.h): a size >= 0 is static, -(k + 1)
// is symbol k.
//
// The symbols come from the function's inputs: a dynamic dimension 0 is
// `batch` (bounded by the module's `kiln.max_batch`), any other dynamic
// dimension is `seq`, or `encoder_seq` for inputs named `encoder_*`
// (bounded by `kiln.max_seq_len`). They are propagated to every value with
// the dialect's own shape rules (inferConcreteResultShapes), which only
// copy dynamic sizes between operands and results.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_HOST_SYMBOLICSHAPES_H
#define KILN_CODEGEN_HOST_SYMBOLICSHAPES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <string>
#include <vector>

namespace kiln {

/// A size chosen at run time, and the largest value the model supports.
struct SizeSymbol {
  std::string name;
  int64_t max = 0;
};

/// The encoding of size symbol `index` as a dimension (see the file comment).
constexpr int64_t symbolicDim(unsigned index) {
  return -static_cast<int64_t>(index) - 1;
}

/// Whether `dim` stands for a size symbol, and which.
constexpr bool isSymbolicDim(int64_t dim) { return dim < 0; }
constexpr unsigned symbolOfDim(int64_t dim) {
  return static_cast<unsigned>(-(dim + 1));
}

/// The sizes of every tensor value of a function.
struct SymbolicShapes {
  std::vector<SizeSymbol> symbols;
  llvm::DenseMap<mlir::Value, llvm::SmallVector<int64_t>> shapes;

  /// The shape of `value`, which must be a tensor of the function.
  llvm::ArrayRef<int64_t> lookup(mlir::Value value) const {
    return shapes.find(value)->second;
  }
};

/// Computes the symbolic shape of every value of `func`. Emits an error and
/// fails when a dynamic dimension cannot be bounded or an op's sizes cannot
/// be derived.
mlir::FailureOr<SymbolicShapes> computeSymbolicShapes(mlir::func::FuncOp func);

} // namespace kiln

#endif // KILN_CODEGEN_HOST_SYMBOLICSHAPES_H
