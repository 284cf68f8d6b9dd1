//===- ModelDescriptor.h - The kiln_model_desc of a compiled model -*- C++ -*-===//
//
// Builds the constant `kiln_compiled_model` (kiln/model_abi.h) in the host
// module: the size symbols, the inputs, weights and outputs with their
// symbolic dimensions, the packed copies of weights that kernels read, the
// arena size, the names of the kernel calls and a pointer to `kiln_forward`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_HOST_MODELDESCRIPTOR_H
#define KILN_CODEGEN_HOST_MODELDESCRIPTOR_H

#include "codegen/host/ForwardLayout.h"
#include "codegen/host/SymbolicShapes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/BitVector.h"

#include <string>
#include <vector>

namespace kiln::host {

/// The name of the descriptor global that the runtime's driver links to.
inline constexpr const char *kModelDescriptorSymbol = "kiln_compiled_model";

/// The profile name of the call of `kernelName` for `op`:
/// "<op scope> (<kernel>)", the scope coming from the op's name location.
std::string describeKernelCall(mlir::Operation *op, llvm::StringRef kernelName);

/// A packed copy of a weight that kernels read (kiln_packed_weight_desc).
struct PackedWeight {
  /// The weight's index in ForwardLayout::weights.
  int64_t weight;
  /// The rows per panel.
  int64_t panelWidth;
  /// The layout (a kiln_packed_format).
  int32_t format;
};

/// What the generated `kiln_forward` calls and reads.
struct ForwardSummary {
  /// The names of the kernel calls, in call order.
  std::vector<std::string> kernelCallNames;
  /// The packed weights that kernels read, in order of first use.
  llvm::SmallVector<PackedWeight> packedWeights;
  /// Per weight, whether some kernel reads it as it is, unpacked.
  llvm::BitVector isReadUnpacked;
};

/// Adds the descriptor of `forward` to `hostModule`, which already defines
/// `kiln_forward` as `summary` describes it. Fails with an error for element
/// types the ABI lacks.
mlir::LogicalResult
buildModelDescriptor(mlir::ModuleOp hostModule, mlir::func::FuncOp forward,
                     const ForwardLayout &layout, const SymbolicShapes &shapes,
                     const ForwardSummary &summary);

} // namespace kiln::host

#endif // KILN_CODEGEN_HOST_MODELDESCRIPTOR_H
