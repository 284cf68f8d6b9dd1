//===- CallInterface.h - How host code calls a compiled kernel --*- C++ -*-===//
//
// A compiled kernel is a C function `int name(arg0, arg1, ...)` that returns
// 0 on success (a Halide error code otherwise). Each argument is a
// `halide_buffer_t *` for an operand or result of the op, or a scalar. The
// call interface lists the arguments in call order so that the host code
// can pass the op's buffers without knowing how the kernel was generated.
//
// Buffers describe tensors in Halide's order, innermost first: buffer
// dimension 0 is the tensor's last dimension (stride 1 for a dense
// row-major tensor), buffer dimension `rank - 1` its first. Every extent is
// the run-time size of the tensor; dimension minimums are 0. A kernel
// checks the extents it was specialised for and the bounds of what it
// reads, and returns an error instead of reading out of bounds.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_CALLINTERFACE_H
#define KILN_CODEGEN_CPU_CALLINTERFACE_H

#include "kiln/model_abi.h"

#include <string>
#include <vector>

namespace kiln {

/// One argument of a compiled kernel.
struct KernelArgument {
  /// What the host passes for the argument.
  enum class Kind {
    /// A `halide_buffer_t *` holding operand `index` of the op.
    Operand,
    /// A `halide_buffer_t *` to hold result `index` of the op.
    Result,
    /// A scalar run-time value; `elementType` gives its C type.
    Scalar,
  };

  Kind kind;
  /// The operand or result index in the op's operand or result list
  /// (absent optional operands are not counted).
  unsigned index;
  /// The parameter name in the generated code, for diagnostics.
  std::string name;
  /// The element type as MLIR prints it (`f32`, `i64`).
  std::string elementType;
  /// The number of buffer dimensions; 0 for scalars.
  unsigned rank;
  /// Nonzero for an f32 weight operand of shape [rows, cols] that the
  /// kernel reads pre-packed into panels of this many rows, in layout
  /// `packedFormat`: a rank-3 buffer whose dimensions
  /// runtime::getPackedWeightDims gives (runtime/src/WeightPacking.h).
  /// `rank` is then 3.
  unsigned panelWidth = 0;
  kiln_packed_format packedFormat = KILN_PACKED_F32_PANELS;
};

/// The arguments of a compiled kernel in call order: operand buffers and
/// scalars first, in the order the generator chose, then the result buffers
/// in result order.
struct CallInterface {
  std::vector<KernelArgument> arguments;
};

} // namespace kiln

#endif // KILN_CODEGEN_CPU_CALLINTERFACE_H
