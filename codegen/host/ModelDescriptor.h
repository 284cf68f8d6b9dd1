//===- ModelDescriptor.h - The kiln_model_desc of a compiled model -*- C++ -*-===//
//
// Builds the constant `kiln_compiled_model` (kiln/model_abi.h) in the host
// module: the size symbols, the inputs, weights and outputs with their
// symbolic dimensions, the arena size, the names of the kernel calls and a
// pointer to `kiln_forward`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_HOST_MODELDESCRIPTOR_H
#define KILN_CODEGEN_HOST_MODELDESCRIPTOR_H

#include "codegen/host/ForwardLayout.h"
#include "codegen/host/SymbolicShapes.h"

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace kiln::host {

/// The name of the descriptor global that the runtime's driver links to.
inline constexpr const char *kModelDescriptorSymbol = "kiln_compiled_model";

/// The profile name of the call of `kernelName` for `op`:
/// "<op scope> (<kernel>)", the scope coming from the op's name location.
std::string describeKernelCall(mlir::Operation *op, llvm::StringRef kernelName);

/// Adds the descriptor of `forward` to `hostModule`, which already defines
/// `kiln_forward`. Fails with an error for element types the ABI lacks.
mlir::LogicalResult
buildModelDescriptor(mlir::ModuleOp hostModule, mlir::func::FuncOp forward,
                     const ForwardLayout &layout, const SymbolicShapes &shapes,
                     llvm::ArrayRef<std::string> kernelCallNames);

} // namespace kiln::host

#endif // KILN_CODEGEN_HOST_MODELDESCRIPTOR_H
