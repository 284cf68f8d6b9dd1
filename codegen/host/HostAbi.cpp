//===- HostAbi.cpp - C ABI types as LLVM dialect types --------------------===//

#include "codegen/host/HostAbi.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace kiln::host {

HostAbi::HostAbi(MLIRContext *context) {
  ptr = LLVM::LLVMPointerType::get(context);
  i8 = IntegerType::get(context, 8);
  i16 = IntegerType::get(context, 16);
  i32 = IntegerType::get(context, 32);
  i64 = IntegerType::get(context, 64);
  forwardArgs = LLVM::LLVMStructType::getLiteral(
      context, {ptr, ptr, ptr, ptr, ptr, ptr, ptr});
  packedWeight = LLVM::LLVMStructType::getLiteral(context, {i32, i32, i32});
  sizeSymbol = LLVM::LLVMStructType::getLiteral(context, {ptr, i64});
  tensorInfo = LLVM::LLVMStructType::getLiteral(context,
                                                {ptr, i32, i32, ptr, i64, i32});
  // abi_version, name, output_kind, num_sizes, sizes, num_inputs, inputs,
  // num_weights, weights, num_packed_weights, packed_weights, num_outputs,
  // outputs, arena_bytes, num_kernel_calls, kernel_call_names, forward.
  modelDesc = LLVM::LLVMStructType::getLiteral(
      context, {i32, ptr, ptr, i32, ptr, i32, ptr, i32, ptr, i32, ptr, i32,
                ptr, i64, i32, ptr, ptr});
  halideType = LLVM::LLVMStructType::getLiteral(context, {i8, i8, i16});
  halideDimension = LLVM::LLVMStructType::getLiteral(context, {i32, i32, i32, i32});
  // device, device_interface, host, flags, type, dimensions, dim, padding.
  halideBuffer = LLVM::LLVMStructType::getLiteral(
      context, {i64, ptr, ptr, i64, halideType, i32, ptr, ptr});
}

int32_t getKilnDType(Type elementType) {
  // Values of kiln_dtype in kiln/dtype.h.
  if (elementType.isF32())
    return 12;
  if (elementType.isF16())
    return 8;
  if (elementType.isBF16())
    return 9;
  if (elementType.isInteger(64))
    return 14;
  if (elementType.isInteger(32))
    return 11;
  if (elementType.isInteger(1))
    return 0;
  return -1;
}

std::pair<uint8_t, uint8_t> getHalideTypeCode(Type elementType) {
  if (elementType.isBF16())
    return {4, 16};
  if (isa<FloatType>(elementType))
    return {2, static_cast<uint8_t>(elementType.getIntOrFloatBitWidth())};
  if (elementType.isInteger(1))
    return {1, 1};
  if (elementType.isUnsignedInteger())
    return {1, static_cast<uint8_t>(elementType.getIntOrFloatBitWidth())};
  return {0, static_cast<uint8_t>(elementType.getIntOrFloatBitWidth())};
}

} // namespace kiln::host
