//===- MLIRGen.h - Build unfused kiln IR from a ModelSpec -------*- C++ -*-===//
//
// The last step of the frontend: turns a validated ModelSpec into a module
// holding one `func.func @forward` in the kiln dialect. The IR is unfused
// (attention is matmul -> scale -> mask -> softmax -> matmul) so that the
// graph passes have the whole model to work on, and every op carries a
// location naming where it sits in the model and the spec line behind it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_FRONTEND_MLIRGEN_H
#define KILN_FRONTEND_MLIRGEN_H

#include "frontend/ModelSpec.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace kiln {

/// Builds the kiln IR of `spec` in `context`, loading the dialects it needs.
///
/// The module carries `kiln.model`, `kiln.max_seq_len` and
/// `kiln.weight_dtype`; `@forward` takes the model inputs (`kiln.input`
/// argument attributes) followed by one f32 parameter per checkpoint tensor
/// (`kiln.weight`), in the order the model first uses them. Returns null
/// after emitting an error at the offending spec field when the spec cannot
/// be lowered or the result does not verify.
mlir::OwningOpRef<mlir::ModuleOp> buildModule(const ModelSpec &spec,
                                              mlir::MLIRContext &context);

/// The forward function of a model module, as built here or read from kiln
/// IR: `@forward`, or the module's only function. Emits an error on the
/// module and fails otherwise.
mlir::FailureOr<mlir::func::FuncOp> getForwardFunction(mlir::ModuleOp module);

} // namespace kiln

#endif // KILN_FRONTEND_MLIRGEN_H
