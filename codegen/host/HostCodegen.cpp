//===- HostCodegen.cpp - Host code of a compiled model --------------------===//
//
// Emits `kiln_forward` and the parallel-loop glue; the descriptor is built
// by ModelDescriptor.cpp. Straight-line code: one kernel call per op, each
// preceded by filling reusable `halide_buffer_t` slots on the stack and
// followed by a check of the kernel's result.
//
//===----------------------------------------------------------------------===//

#include "codegen/host/HostCodegen.h"
#include "codegen/host/ForwardLayout.h"
#include "codegen/host/HostAbi.h"
#include "codegen/host/ModelDescriptor.h"
#include "runtime/src/WeightPacking.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"

using namespace mlir;

namespace kiln {

using namespace host;

namespace {

/// Builds the body of `kiln_forward`.
class ForwardEmitter {
public:
  ForwardEmitter(ModuleOp hostModule, func::FuncOp forward,
                 const KernelLibrary &kernels, const SymbolicShapes &shapes,
                 const ForwardLayout &layout)
      : hostModule(hostModule), forward(forward), kernels(kernels),
        shapes(shapes), layout(layout), abi(hostModule.getContext()),
        builder(hostModule.getContext()) {}

  /// Emits the function; returns what it calls and reads.
  FailureOr<ForwardSummary> emit();

private:
  /// Declares (once) the external function `name` of `type`.
  LLVM::LLVMFuncOp declare(StringRef name, LLVM::LLVMFunctionType type);
  /// Loads `args->field[index]`, a pointer.
  Value loadArgsArrayEntry(ForwardArgsField field, int64_t index);
  /// The address of the data of `value` (see ForwardLayout).
  FailureOr<Value> addressOf(Value value);
  /// A pointer to a private constant global holding `constant`'s data.
  Value constantData(arith::ConstantOp constant);
  /// An i32 or i64 constant.
  Value constantInt(Type type, int64_t value);
  /// Fills buffer slot `slot` to describe `value` at `address`.
  void fillBuffer(unsigned slot, Value value, Value address);
  /// Fills buffer slot `slot` to describe the packed copy of `weight` that
  /// `argument` reads, at `address`.
  void fillPackedBuffer(unsigned slot, BlockArgument weight,
                        const KernelArgument &argument, Value address);
  /// Sets the fields of buffer slot `slot` other than its dimensions.
  void fillBufferHeader(unsigned slot, Type element, int64_t rank,
                        Value address);
  /// Sets dimension `dim` of buffer slot `slot`.
  void fillDimension(unsigned slot, int32_t dim, Value extent, Value stride);
  /// The address of the packed copy of `weight` that `argument` reads,
  /// which the summary records.
  Value addressOfPacked(BlockArgument weight, const KernelArgument &argument);
  /// Emits the call of `kernel` for `op`; branches to the exit block with
  /// the kernel's result when it fails.
  LogicalResult emitKernelCall(Operation *op, const CompiledKernel &kernel,
                               int32_t callIndex);

  ModuleOp hostModule;
  func::FuncOp forward;
  const KernelLibrary &kernels;
  const SymbolicShapes &shapes;
  const ForwardLayout &layout;
  HostAbi abi;
  OpBuilder builder;
  Location loc = builder.getUnknownLoc();

  Value args, arena, profiler;
  /// The value of each size symbol, loaded once.
  SmallVector<Value> sizes;
  /// Reusable halide_buffer_t and halide_dimension_t[maxRank] slots.
  SmallVector<Value> bufferSlots, dimensionSlots;
  /// Addresses already computed, by value.
  llvm::DenseMap<Value, Value> addresses;
  /// Addresses of packed weights already loaded, by packed weight index.
  llvm::DenseMap<int64_t, Value> packedAddresses;
  /// What the function calls and reads so far.
  ForwardSummary summary;
  /// Returns the failing kernel's code.
  Block *exitBlock = nullptr;
  unsigned constantCount = 0;
};

LLVM::LLVMFuncOp ForwardEmitter::declare(StringRef name,
                                         LLVM::LLVMFunctionType type) {
  if (auto existing = hostModule.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return existing;
  OpBuilder::InsertionGuard guard(builder);
  builder.setInsertionPointToStart(hostModule.getBody());
  return builder.create<LLVM::LLVMFuncOp>(loc, name, type);
}

Value ForwardEmitter::constantInt(Type type, int64_t value) {
  return builder.create<LLVM::ConstantOp>(loc, type,
                                          builder.getIntegerAttr(type, value));
}

Value ForwardEmitter::loadArgsArrayEntry(ForwardArgsField field,
                                         int64_t index) {
  Value fieldAddress = builder.create<LLVM::GEPOp>(
      loc, abi.ptr, abi.forwardArgs, args,
      ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(field)});
  Value array = builder.create<LLVM::LoadOp>(loc, abi.ptr, fieldAddress);
  Value entry = builder.create<LLVM::GEPOp>(
      loc, abi.ptr, abi.ptr, array,
      ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(index)});
  return builder.create<LLVM::LoadOp>(loc, abi.ptr, entry);
}

Value ForwardEmitter::constantData(arith::ConstantOp constant) {
  auto data = cast<DenseElementsAttr>(constant.getValue());
  auto type = cast<RankedTensorType>(data.getType());
  Type element = type.getElementType();
  // Booleans occupy a byte each, as Halide stores them.
  if (element.isInteger(1))
    data = data.bitcast(builder.getI8Type());
  auto flat = data.reshape(RankedTensorType::get(
      {type.getNumElements()}, data.getElementType()));
  auto arrayType = LLVM::LLVMArrayType::get(flat.getElementType(),
                                            type.getNumElements());
  std::string name = "__kiln_constant_" + std::to_string(constantCount++);
  {
    OpBuilder::InsertionGuard guard(builder);
    builder.setInsertionPointToStart(hostModule.getBody());
    builder.create<LLVM::GlobalOp>(loc, arrayType, /*isConstant=*/true,
                                   LLVM::Linkage::Private, name, flat,
                                   /*alignment=*/64);
  }
  return builder.create<LLVM::AddressOfOp>(loc, abi.ptr, name);
}

FailureOr<Value> ForwardEmitter::addressOf(Value value) {
  auto known = addresses.find(value);
  if (known != addresses.end())
    return known->second;
  const Storage &storage = layout.storage.find(value)->second;
  Value address;
  switch (storage.kind) {
  case Storage::Kind::Input:
    address = loadArgsArrayEntry(InputsField, storage.index);
    break;
  case Storage::Kind::Weight:
    address = loadArgsArrayEntry(WeightsField, storage.index);
    break;
  case Storage::Kind::Output:
    address = loadArgsArrayEntry(OutputsField, storage.index);
    break;
  case Storage::Kind::Arena:
    address = builder.create<LLVM::GEPOp>(
        loc, abi.ptr, abi.i8, arena,
        ArrayRef<LLVM::GEPArg>{constantInt(abi.i64, storage.index)});
    break;
  case Storage::Kind::Constant:
    address = constantData(cast<arith::ConstantOp>(storage.constant));
    break;
  }
  addresses[value] = address;
  return address;
}

void ForwardEmitter::fillBufferHeader(unsigned slot, Type element,
                                     int64_t rank, Value address) {
  Value buffer = bufferSlots[slot];
  auto field = [&](int32_t index) {
    return builder.create<LLVM::GEPOp>(loc, abi.ptr, abi.halideBuffer, buffer,
                                       ArrayRef<LLVM::GEPArg>{0, index});
  };
  Value null = builder.create<LLVM::ZeroOp>(loc, abi.ptr);
  builder.create<LLVM::StoreOp>(loc, constantInt(abi.i64, 0), field(0));
  builder.create<LLVM::StoreOp>(loc, null, field(1));
  builder.create<LLVM::StoreOp>(loc, address, field(2));
  builder.create<LLVM::StoreOp>(loc, constantInt(abi.i64, 0), field(3));
  auto [code, bits] = getHalideTypeCode(element);
  Value type = builder.create<LLVM::UndefOp>(loc, abi.halideType);
  type = builder.create<LLVM::InsertValueOp>(loc, type,
                                             constantInt(abi.i8, code), 0);
  type = builder.create<LLVM::InsertValueOp>(loc, type,
                                             constantInt(abi.i8, bits), 1);
  type = builder.create<LLVM::InsertValueOp>(loc, type,
                                             constantInt(abi.i16, 1), 2);
  builder.create<LLVM::StoreOp>(loc, type, field(4));
  builder.create<LLVM::StoreOp>(loc, constantInt(abi.i32, rank), field(5));
  builder.create<LLVM::StoreOp>(loc, dimensionSlots[slot], field(6));
  builder.create<LLVM::StoreOp>(loc, null, field(7));
}

void ForwardEmitter::fillDimension(unsigned slot, int32_t dim, Value extent,
                                   Value stride) {
  Value entry = builder.create<LLVM::UndefOp>(loc, abi.halideDimension);
  Value fields[] = {constantInt(abi.i32, 0),
                    builder.create<LLVM::TruncOp>(loc, abi.i32, extent),
                    builder.create<LLVM::TruncOp>(loc, abi.i32, stride),
                    constantInt(abi.i32, 0)};
  for (auto [position, fieldValue] : llvm::enumerate(fields))
    entry =
        builder.create<LLVM::InsertValueOp>(loc, entry, fieldValue, position);
  Value slotAddress =
      builder.create<LLVM::GEPOp>(loc, abi.ptr, abi.halideDimension,
                                  dimensionSlots[slot],
                                  ArrayRef<LLVM::GEPArg>{dim});
  builder.create<LLVM::StoreOp>(loc, entry, slotAddress);
}

void ForwardEmitter::fillBuffer(unsigned slot, Value value, Value address) {
  ArrayRef<int64_t> shape = shapes.lookup(value);
  fillBufferHeader(slot, getElementTypeOrSelf(value.getType()), shape.size(),
                   address);
  // Halide lists dimensions innermost first; the tensors are row-major.
  Value stride = constantInt(abi.i64, 1);
  for (int32_t dim = 0, rank = shape.size(); dim < rank; ++dim) {
    int64_t size = shape[rank - 1 - dim];
    Value extent = isSymbolicDim(size) ? sizes[symbolOfDim(size)]
                                       : constantInt(abi.i64, size);
    fillDimension(slot, dim, extent, stride);
    stride = builder.create<LLVM::MulOp>(loc, stride, extent);
  }
}

void ForwardEmitter::fillPackedBuffer(unsigned slot, BlockArgument weight,
                                      const KernelArgument &argument,
                                      Value address) {
  // See kiln_packed_format and runtime::getPackedWeightDims.
  auto type = cast<RankedTensorType>(weight.getType());
  std::array<runtime::PackedDim, 3> dims =
      runtime::getPackedWeightDims(type.getDimSize(0), type.getDimSize(1),
                                   argument.panelWidth, argument.packedFormat);
  Type element = argument.packedFormat == KILN_PACKED_BF16X3_TILES
                     ? builder.getIntegerType(32, /*isSigned=*/false)
                     : type.getElementType();
  fillBufferHeader(slot, element, 3, address);
  for (auto [dim, packed] : llvm::enumerate(dims))
    fillDimension(slot, dim, constantInt(abi.i64, packed.extent),
                  constantInt(abi.i64, packed.stride));
}

Value ForwardEmitter::addressOfPacked(BlockArgument weight,
                                      const KernelArgument &argument) {
  int64_t weightIndex = layout.storage.find(weight)->second.index;
  PackedWeight wanted{weightIndex, argument.panelWidth, argument.packedFormat};
  auto *known =
      llvm::find_if(summary.packedWeights, [&](const PackedWeight &p) {
        return p.weight == wanted.weight && p.panelWidth == wanted.panelWidth &&
               p.format == wanted.format;
      });
  int64_t packedIndex = known - summary.packedWeights.begin();
  if (known == summary.packedWeights.end())
    summary.packedWeights.push_back(wanted);
  Value &address = packedAddresses[packedIndex];
  if (!address)
    address = loadArgsArrayEntry(PackedWeightsField, packedIndex);
  return address;
}

LogicalResult ForwardEmitter::emitKernelCall(Operation *op,
                                             const CompiledKernel &kernel,
                                             int32_t callIndex) {
  SmallVector<Value> callArgs;
  for (const KernelArgument &argument : kernel.interface.arguments) {
    if (argument.kind == KernelArgument::Kind::Scalar)
      return op->emitError() << "kernel " << kernel.name
                             << " takes scalar argument '" << argument.name
                             << "', which host code cannot provide";
    Value value = argument.kind == KernelArgument::Kind::Operand
                      ? op->getOperand(argument.index)
                      : op->getResult(argument.index);
    unsigned slot = callArgs.size();
    callArgs.push_back(bufferSlots[slot]);
    const Storage &storage = layout.storage.find(value)->second;
    if (argument.panelWidth != 0) {
      auto weight = dyn_cast<BlockArgument>(value);
      if (!weight || storage.kind != Storage::Kind::Weight)
        return op->emitError() << "kernel " << kernel.name
                               << " reads operand " << argument.index
                               << " packed, but it is not a weight";
      fillPackedBuffer(slot, weight, argument,
                       addressOfPacked(weight, argument));
      continue;
    }
    if (storage.kind == Storage::Kind::Weight)
      summary.isReadUnpacked.set(storage.index);
    FailureOr<Value> address = addressOf(value);
    if (failed(address))
      return failure();
    fillBuffer(slot, value, *address);
  }

  auto profileType = LLVM::LLVMFunctionType::get(
      LLVM::LLVMVoidType::get(builder.getContext()), {abi.ptr, abi.i32});
  Value callNumber = constantInt(abi.i32, callIndex);
  builder.create<LLVM::CallOp>(
      loc, declare("kiln_profile_kernel_begin", profileType),
      ValueRange{profiler, callNumber});
  SmallVector<Type> argTypes(callArgs.size(), abi.ptr);
  auto kernelType = LLVM::LLVMFunctionType::get(abi.i32, argTypes);
  Value status =
      builder
          .create<LLVM::CallOp>(loc, declare(kernel.name, kernelType), callArgs)
          .getResult();
  builder.create<LLVM::CallOp>(
      loc, declare("kiln_profile_kernel_end", profileType),
      ValueRange{profiler, callNumber});

  Value failed = builder.create<LLVM::ICmpOp>(loc, LLVM::ICmpPredicate::ne,
                                              status, constantInt(abi.i32, 0));
  Block *current = builder.getInsertionBlock();
  Block *next = builder.createBlock(current->getParent(),
                                    std::next(Region::iterator(current)));
  builder.setInsertionPointToEnd(current);
  builder.create<LLVM::CondBrOp>(loc, failed, exitBlock, ValueRange{status},
                                 next, ValueRange{});
  builder.setInsertionPointToStart(next);
  return success();
}

FailureOr<ForwardSummary> ForwardEmitter::emit() {
  summary.isReadUnpacked.resize(layout.weights.size());
  builder.setInsertionPointToEnd(hostModule.getBody());
  auto function = builder.create<LLVM::LLVMFuncOp>(
      loc, "kiln_forward", LLVM::LLVMFunctionType::get(abi.i32, {abi.ptr}));
  Block *entry = function.addEntryBlock(builder);
  exitBlock = builder.createBlock(&function.getBody(), {}, {abi.i32}, {loc});
  builder.create<LLVM::ReturnOp>(loc, exitBlock->getArgument(0));
  builder.setInsertionPointToStart(entry);

  args = entry->getArgument(0);
  auto loadField = [&](ForwardArgsField field) -> Value {
    Value address = builder.create<LLVM::GEPOp>(
        loc, abi.ptr, abi.forwardArgs, args,
        ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(field)});
    return builder.create<LLVM::LoadOp>(loc, abi.ptr, address);
  };
  arena = loadField(ArenaField);
  profiler = loadField(ProfilerField);
  Value sizeArray = loadField(SizesField);
  for (int32_t index = 0, e = shapes.symbols.size(); index < e; ++index) {
    Value address = builder.create<LLVM::GEPOp>(
        loc, abi.ptr, abi.i64, sizeArray, ArrayRef<LLVM::GEPArg>{index});
    sizes.push_back(builder.create<LLVM::LoadOp>(loc, abi.i64, address));
  }

  // One halide_buffer_t slot per argument of the widest call, each with
  // room for the highest rank, reused by every call.
  size_t maxArguments = 0, maxRank = 1;
  for (const CompiledKernel &kernel : kernels.kernels) {
    maxArguments = std::max(maxArguments, kernel.interface.arguments.size());
    for (const KernelArgument &argument : kernel.interface.arguments)
      maxRank = std::max<size_t>(maxRank, argument.rank);
  }
  for (size_t slot = 0; slot < maxArguments; ++slot) {
    bufferSlots.push_back(builder.create<LLVM::AllocaOp>(
        loc, abi.ptr, abi.halideBuffer, constantInt(abi.i32, 1), 16));
    dimensionSlots.push_back(builder.create<LLVM::AllocaOp>(
        loc, abi.ptr, abi.halideDimension,
        constantInt(abi.i32, static_cast<int64_t>(maxRank)), 16));
  }

  std::vector<std::string> &callNames = summary.kernelCallNames;
  for (Operation &op : forward.getBody().front().without_terminator()) {
    const CompiledKernel *kernel = kernels.lookup(&op);
    if (!kernel)
      continue;
    if (failed(emitKernelCall(&op, *kernel, callNames.size())))
      return failure();
    callNames.push_back(describeKernelCall(&op, kernel->name));
  }
  builder.create<LLVM::BrOp>(loc, ValueRange{constantInt(abi.i32, 0)},
                             exitBlock);
  return summary;
}

/// Defines Halide runtime function `halideName` of `type` to forward its
/// arguments to the Kiln runtime's `kilnName`; the definition takes
/// precedence over the Halide runtime's weak one when the model is linked.
void emitRuntimeOverride(ModuleOp hostModule, StringRef halideName,
                         StringRef kilnName, LLVM::LLVMFunctionType type) {
  OpBuilder builder = OpBuilder::atBlockEnd(hostModule.getBody());
  Location loc = builder.getUnknownLoc();
  auto target = builder.create<LLVM::LLVMFuncOp>(loc, kilnName, type);
  auto glue = builder.create<LLVM::LLVMFuncOp>(loc, halideName, type);
  Block *entry = glue.addEntryBlock(builder);
  builder.setInsertionPointToStart(entry);
  auto call = builder.create<LLVM::CallOp>(loc, target, entry->getArguments());
  builder.create<LLVM::ReturnOp>(loc, call.getResults());
}

/// Routes the kernels' parallel loops to the runtime's thread pool and
/// their error reports to the runtime, instead of Halide's pool and its
/// default handler, which aborts the process.
void emitHalideRuntimeOverrides(ModuleOp hostModule) {
  HostAbi abi(hostModule.getContext());
  emitRuntimeOverride(hostModule, "halide_do_par_for", "kiln_parallel_for",
                      LLVM::LLVMFunctionType::get(
                          abi.i32, {abi.ptr, abi.ptr, abi.i32, abi.i32,
                                    abi.ptr}));
  emitRuntimeOverride(
      hostModule, "halide_error", "kiln_kernel_error",
      LLVM::LLVMFunctionType::get(
          LLVM::LLVMVoidType::get(hostModule.getContext()),
          {abi.ptr, abi.ptr}));
}

} // namespace

OwningOpRef<ModuleOp> buildHostModule(func::FuncOp forward,
                                            const KernelLibrary &kernels,
                                            const SymbolicShapes &shapes) {
  MLIRContext *context = forward.getContext();
  context->loadDialect<LLVM::LLVMDialect>();
  FailureOr<ForwardLayout> layout = analyzeForwardLayout(forward);
  if (failed(layout))
    return nullptr;

  OwningOpRef<ModuleOp> hostModule = ModuleOp::create(forward.getLoc());
  ForwardEmitter emitter(*hostModule, forward, kernels, shapes, *layout);
  FailureOr<ForwardSummary> summary = emitter.emit();
  if (failed(summary))
    return nullptr;
  emitHalideRuntimeOverrides(*hostModule);
  if (failed(buildModelDescriptor(*hostModule, forward, *layout, shapes,
                                  *summary)))
    return nullptr;
  return hostModule;
}

} // namespace kiln
