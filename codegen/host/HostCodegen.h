//===- HostCodegen.h - Host code of a compiled model ------------*- C++ -*-===//
//
// Lowers a memory-planned forward function and the kernels compiled for its
// ops to the host side of a compiled model, in the LLVM dialect:
//
// - `kiln_forward(const kiln_forward_args *)`, which calls the kernels in
//   program order, passing each a `halide_buffer_t` per operand and result
//   that points into the inputs, the weights, the arena (at the offsets of
//   kiln-plan-memory) or the caller's output buffers, with run-time extents
//   computed from the size symbols;
// - the constant descriptor `kiln_compiled_model` (kiln/model_abi.h);
// - `halide_do_par_for` and `halide_error`, which send the kernels'
//   parallel loops to the runtime's thread pool (`kiln_parallel_for`) and
//   their error reports to the runtime (`kiln_kernel_error`), overriding
//   the Halide runtime's pool and its aborting error handler.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_HOST_HOSTCODEGEN_H
#define KILN_CODEGEN_HOST_HOSTCODEGEN_H

#include "codegen/cpu/KernelCompiler.h"
#include "codegen/host/SymbolicShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace kiln {

/// Builds the host module of `forward`, whose ops call the kernels of
/// `kernels`. `forward` must carry the memory plan. Emits an error and
/// returns null for what the host code cannot express (an argument that is
/// neither an input nor a weight, a function that returns an argument).
mlir::OwningOpRef<mlir::ModuleOp>
buildHostModule(mlir::func::FuncOp forward, const KernelLibrary &kernels,
                const SymbolicShapes &shapes);

} // namespace kiln

#endif // KILN_CODEGEN_HOST_HOSTCODEGEN_H
