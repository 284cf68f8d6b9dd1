//===- HostAbi.h - C ABI types as LLVM dialect types ------------*- C++ -*-===//
//
// The structures that host code shares with C: the model ABI of
// kiln/model_abi.h and Halide's halide_buffer_t (HalideRuntime.h). Each is
// an identified-free LLVM struct whose members mirror the C declaration in
// order, so that the x86-64 data layout gives both the same offsets.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_HOST_HOSTABI_H
#define KILN_CODEGEN_HOST_HOSTABI_H

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/MLIRContext.h"

namespace kiln::host {

/// Field positions of kiln_forward_args.
enum ForwardArgsField : int32_t {
  SizesField = 0,
  InputsField,
  WeightsField,
  PackedWeightsField,
  ArenaField,
  OutputsField,
  ProfilerField,
};

/// The ABI structures as LLVM types.
struct HostAbi {
  explicit HostAbi(mlir::MLIRContext *context);

  mlir::Type ptr, i8, i16, i32, i64;
  /// kiln_forward_args: seven pointers.
  mlir::LLVM::LLVMStructType forwardArgs;
  /// kiln_packed_weight_desc: {int32 weight; int32 panel_width; int32
  /// format;}.
  mlir::LLVM::LLVMStructType packedWeight;
  /// kiln_size_symbol: {const char *name; int64_t max;}.
  mlir::LLVM::LLVMStructType sizeSymbol;
  /// kiln_tensor_desc: {name, dtype, rank, dims, id_bound, flags}.
  mlir::LLVM::LLVMStructType tensorInfo;
  /// kiln_model_desc.
  mlir::LLVM::LLVMStructType modelDesc;
  /// halide_type_t: {uint8 code; uint8 bits; uint16 lanes;}.
  mlir::LLVM::LLVMStructType halideType;
  /// halide_dimension_t: {int32 min, extent, stride; uint32 flags;}.
  mlir::LLVM::LLVMStructType halideDimension;
  /// halide_buffer_t.
  mlir::LLVM::LLVMStructType halideBuffer;
};

/// The kiln_dtype value (kiln/dtype.h) of an MLIR element type, or -1.
int32_t getKilnDType(mlir::Type elementType);

/// Halide's {type code, bits} of an MLIR element type (halide_type_code_t:
/// int 0, uint 1, float 2, bfloat 4).
std::pair<uint8_t, uint8_t> getHalideTypeCode(mlir::Type elementType);

} // namespace kiln::host

#endif // KILN_CODEGEN_HOST_HOSTABI_H
