//===- ForwardLayout.h - Where the forward function's tensors live -*- C++ -*-===//
//
// Classifies every tensor of a planned forward function by where host code
// finds its data: an input or a weight the runtime passes in, a caller's
// output buffer, a constant baked into the binary, or an offset in the
// arena. Views (`kiln.reshape`) share their source's storage, and a value
// that is returned through views is computed straight into the output.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_HOST_FORWARDLAYOUT_H
#define KILN_CODEGEN_HOST_FORWARDLAYOUT_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

namespace kiln::host {

/// Where a tensor's data is.
struct Storage {
  enum class Kind { Input, Weight, Output, Arena, Constant };
  Kind kind;
  /// Input, weight or output index, or the arena offset in bytes.
  int64_t index = 0;
  /// For constants: the op that holds the data.
  mlir::Operation *constant = nullptr;
};

/// The storage of every tensor of a forward function.
struct ForwardLayout {
  llvm::SmallVector<mlir::BlockArgument> inputs;
  llvm::SmallVector<mlir::BlockArgument> weights;
  /// The returned values, in result order.
  llvm::SmallVector<mlir::Value> outputs;
  llvm::DenseMap<mlir::Value, Storage> storage;
};

/// Analyses `func` (which must carry `kiln.arena_offsets`); emits an error
/// and fails for tensors host code cannot place.
mlir::FailureOr<ForwardLayout> analyzeForwardLayout(mlir::func::FuncOp func);

} // namespace kiln::host

#endif // KILN_CODEGEN_HOST_FORWARDLAYOUT_H
