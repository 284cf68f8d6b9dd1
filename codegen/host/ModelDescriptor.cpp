//===- ModelDescriptor.cpp - The kiln_model_desc of a compiled model ------===//

#include "codegen/host/ModelDescriptor.h"
#include "codegen/host/HostAbi.h"
#include "kiln/model_abi.h"

#include "dialect/KilnOps.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;

namespace kiln::host {

std::string describeKernelCall(Operation *op, StringRef kernelName) {
  // A fused op carries a FusedLoc of its parts' name scopes; it is named by
  // their common dotted prefix (`decoder.layer0.attn` for the scores,
  // softmax and values of one attention).
  SmallVector<StringRef> names;
  op->getLoc()->walk([&](Location loc) {
    if (auto name = dyn_cast<NameLoc>(loc))
      names.push_back(name.getName().getValue());
    return WalkResult::advance();
  });
  if (names.empty())
    return op->getName().getStringRef().str() + " (" + kernelName.str() + ")";
  SmallVector<StringRef> common;
  names.front().split(common, '.');
  for (StringRef name : llvm::drop_begin(names)) {
    SmallVector<StringRef> parts;
    name.split(parts, '.');
    size_t shared = 0;
    while (shared < common.size() && shared < parts.size() &&
           common[shared] == parts[shared])
      ++shared;
    common.resize(shared);
  }
  std::string scope =
      common.empty() ? names.front().str() : llvm::join(common, ".");
  return scope + " (" + kernelName.str() + ")";
}

namespace {

/// Emits the descriptor's globals. Each array is a private constant global;
/// struct-valued globals are built in their initializer regions.
class DescriptorEmitter {
public:
  DescriptorEmitter(ModuleOp hostModule)
      : abi(hostModule.getContext()),
        builder(OpBuilder::atBlockEnd(hostModule.getBody())),
        loc(builder.getUnknownLoc()) {}

  /// A private NUL-terminated string global; returns its name.
  std::string string(StringRef value) {
    std::string name = "__kiln_string_" + std::to_string(counter++);
    std::string data = value.str();
    data.push_back('\0');
    auto type = LLVM::LLVMArrayType::get(abi.i8, data.size());
    builder.create<LLVM::GlobalOp>(loc, type, /*isConstant=*/true,
                                   LLVM::Linkage::Private, name,
                                   builder.getStringAttr(data));
    return name;
  }

  /// A private i64 array global; returns its name.
  std::string int64Array(ArrayRef<int64_t> values) {
    std::string name = "__kiln_dims_" + std::to_string(counter++);
    auto type = LLVM::LLVMArrayType::get(abi.i64, std::max<size_t>(
                                                      values.size(), 1));
    SmallVector<int64_t> data(values);
    if (data.empty())
      data.push_back(0);
    builder.create<LLVM::GlobalOp>(
        loc, type, /*isConstant=*/true, LLVM::Linkage::Private, name,
        DenseElementsAttr::get(
            RankedTensorType::get({static_cast<int64_t>(data.size())},
                                  abi.i64),
            ArrayRef<int64_t>(data)));
    return name;
  }

  /// A constant global of `type` named `name` whose initializer `build`
  /// computes; returns the initializer builder's result.
  template <typename Build>
  void structGlobal(Type type, StringRef name, LLVM::Linkage linkage,
                    Build build) {
    auto global = builder.create<LLVM::GlobalOp>(
        loc, type, /*isConstant=*/true, linkage, name, Attribute());
    OpBuilder::InsertionGuard guard(builder);
    builder.createBlock(&global.getInitializerRegion());
    builder.create<LLVM::ReturnOp>(loc, build());
  }

  /// A pointer to global `name`, or null when `name` is empty; inside an
  /// initializer.
  Value addressOf(StringRef name) {
    if (name.empty())
      return builder.create<LLVM::ZeroOp>(loc, abi.ptr);
    return builder.create<LLVM::AddressOfOp>(loc, abi.ptr, name);
  }

  Value constant(Type type, int64_t value) {
    return builder.create<LLVM::ConstantOp>(
        loc, type, builder.getIntegerAttr(type, value));
  }

  /// Builds a struct value of `type` from `fields`.
  Value structValue(Type type, ArrayRef<Value> fields) {
    Value result = builder.create<LLVM::UndefOp>(loc, type);
    for (auto [index, field] : llvm::enumerate(fields))
      result = builder.create<LLVM::InsertValueOp>(loc, result, field, index);
    return result;
  }

  /// One kiln_tensor_desc, before its strings and dims exist as globals.
  struct TensorInfo {
    std::string name;
    int32_t dtype;
    SmallVector<int64_t> dims;
    int64_t idBound = 0;
    uint32_t flags = 0;
  };

  /// A private array global of kiln_tensor_desc; returns its name, or ""
  /// for an empty list.
  std::string tensorInfos(ArrayRef<TensorInfo> infos) {
    if (infos.empty())
      return "";
    SmallVector<std::pair<std::string, std::string>> globals;
    for (const TensorInfo &info : infos)
      globals.push_back({string(info.name), int64Array(info.dims)});
    std::string name = "__kiln_tensors_" + std::to_string(counter++);
    auto type = LLVM::LLVMArrayType::get(abi.tensorInfo, infos.size());
    structGlobal(type, name, LLVM::Linkage::Private, [&] {
      Value array = builder.create<LLVM::UndefOp>(loc, type);
      for (auto [index, info] : llvm::enumerate(infos)) {
        Value entry = structValue(
            abi.tensorInfo,
            {addressOf(globals[index].first), constant(abi.i32, info.dtype),
             constant(abi.i32, static_cast<int64_t>(info.dims.size())),
             addressOf(globals[index].second), constant(abi.i64, info.idBound),
             constant(abi.i32, info.flags)});
        array = builder.create<LLVM::InsertValueOp>(loc, array, entry, index);
      }
      return array;
    });
    return name;
  }

  /// A private array global of kiln_packed_weight_desc; returns its name,
  /// or "" for an empty list.
  std::string packedWeights(ArrayRef<PackedWeight> packed) {
    if (packed.empty())
      return "";
    std::string name = "__kiln_packed_weights";
    auto type = LLVM::LLVMArrayType::get(abi.packedWeight, packed.size());
    structGlobal(type, name, LLVM::Linkage::Private, [&] {
      Value array = builder.create<LLVM::UndefOp>(loc, type);
      for (auto [index, entry] : llvm::enumerate(packed)) {
        Value value =
            structValue(abi.packedWeight, {constant(abi.i32, entry.weight),
                                           constant(abi.i32, entry.panelWidth),
                                           constant(abi.i32, entry.format)});
        array = builder.create<LLVM::InsertValueOp>(loc, array, value, index);
      }
      return array;
    });
    return name;
  }

  HostAbi abi;
  OpBuilder builder;
  Location loc;
  unsigned counter = 0;
};

/// The rows of the embedding table that input `argument` indexes, or 0
/// when it is not a token-id input.
int64_t idBoundOf(BlockArgument argument) {
  for (Operation *user : argument.getUsers())
    if (auto embedding = dyn_cast<kiln::EmbeddingOp>(user))
      if (embedding.getIds() == argument)
        return embedding.getTable().getType().getDimSize(0);
  return 0;
}

} // namespace

LogicalResult buildModelDescriptor(ModuleOp hostModule, func::FuncOp forward,
                                   const ForwardLayout &layout,
                                   const SymbolicShapes &shapes,
                                   const ForwardSummary &summary) {
  ArrayRef<std::string> kernelCallNames = summary.kernelCallNames;
  DescriptorEmitter emitter(hostModule);
  const HostAbi &abi = emitter.abi;

  using TensorInfo = DescriptorEmitter::TensorInfo;
  auto infoOf = [&](Value value, StringRef name) -> FailureOr<TensorInfo> {
    Type element = getElementTypeOrSelf(value.getType());
    int32_t dtype = getKilnDType(element);
    if (dtype < 0)
      return forward.emitError() << "tensor '" << name << "' has element type "
                                 << element << ", which the model ABI lacks";
    return TensorInfo{name.str(), dtype,
                      SmallVector<int64_t>(shapes.lookup(value))};
  };
  auto argName = [&](BlockArgument argument, StringRef attr) {
    return forward.getArgAttrOfType<StringAttr>(argument.getArgNumber(), attr)
        .getValue();
  };

  SmallVector<TensorInfo> inputs, weights, outputs;
  for (BlockArgument input : layout.inputs) {
    FailureOr<TensorInfo> info = infoOf(input, argName(input, "kiln.input"));
    if (failed(info))
      return failure();
    info->idBound = idBoundOf(input);
    inputs.push_back(*info);
  }
  for (auto [index, weight] : llvm::enumerate(layout.weights)) {
    FailureOr<TensorInfo> info = infoOf(weight, argName(weight, "kiln.weight"));
    if (failed(info))
      return failure();
    if (forward.getArgAttr(weight.getArgNumber(), "kiln.weight_transposed"))
      info->flags |= 1u; // KILN_TENSOR_TRANSPOSED_IN_CHECKPOINT
    int64_t weightIndex = index;
    bool isPacked =
        llvm::any_of(summary.packedWeights, [&](const PackedWeight &packed) {
          return packed.weight == weightIndex;
        });
    if (isPacked && !summary.isReadUnpacked.test(index))
      info->flags |= 2u; // KILN_TENSOR_READ_ONLY_PACKED
    weights.push_back(*info);
  }
  std::string outputKind = "output";
  for (auto [index, output] : llvm::enumerate(layout.outputs)) {
    auto kind = forward.getResultAttrOfType<StringAttr>(index, "kiln.output");
    std::string name = kind ? kind.getValue().str()
                            : "output" + std::to_string(index);
    if (index == 0)
      outputKind = name;
    FailureOr<TensorInfo> info = infoOf(output, name);
    if (failed(info))
      return failure();
    outputs.push_back(*info);
  }

  auto module = forward->getParentOfType<ModuleOp>();
  auto modelName = module->getAttrOfType<StringAttr>("kiln.model");
  auto arenaBytes = forward->getAttrOfType<IntegerAttr>("kiln.arena_size");
  if (!arenaBytes)
    return forward.emitError()
           << "has no kiln.arena_size: run kiln-plan-memory first";

  std::string nameGlobal =
      emitter.string(modelName ? modelName.getValue() : forward.getSymName());
  std::string kindGlobal = emitter.string(outputKind);
  std::string inputsGlobal = emitter.tensorInfos(inputs);
  std::string weightsGlobal = emitter.tensorInfos(weights);
  std::string outputsGlobal = emitter.tensorInfos(outputs);
  std::string packedGlobal = emitter.packedWeights(summary.packedWeights);

  std::string sizesGlobal;
  if (!shapes.symbols.empty()) {
    SmallVector<std::string> symbolNames;
    for (const SizeSymbol &symbol : shapes.symbols)
      symbolNames.push_back(emitter.string(symbol.name));
    sizesGlobal = "__kiln_sizes";
    auto type = LLVM::LLVMArrayType::get(abi.sizeSymbol, symbolNames.size());
    emitter.structGlobal(type, sizesGlobal, LLVM::Linkage::Private, [&] {
      Value array = emitter.builder.create<LLVM::UndefOp>(emitter.loc, type);
      for (auto [index, symbol] : llvm::enumerate(shapes.symbols)) {
        Value entry = emitter.structValue(
            abi.sizeSymbol, {emitter.addressOf(symbolNames[index]),
                             emitter.constant(abi.i64, symbol.max)});
        array = emitter.builder.create<LLVM::InsertValueOp>(emitter.loc, array,
                                                            entry, index);
      }
      return array;
    });
  }

  std::string callNamesGlobal;
  if (!kernelCallNames.empty()) {
    SmallVector<std::string> names;
    for (const std::string &callName : kernelCallNames)
      names.push_back(emitter.string(callName));
    callNamesGlobal = "__kiln_kernel_calls";
    auto type = LLVM::LLVMArrayType::get(abi.ptr, names.size());
    emitter.structGlobal(type, callNamesGlobal, LLVM::Linkage::Private, [&] {
      Value array = emitter.builder.create<LLVM::UndefOp>(emitter.loc, type);
      for (auto [index, name] : llvm::enumerate(names))
        array = emitter.builder.create<LLVM::InsertValueOp>(
            emitter.loc, array, emitter.addressOf(name), index);
      return array;
    });
  }

  auto count = [&](size_t size) {
    return emitter.constant(abi.i32, static_cast<int64_t>(size));
  };
  emitter.structGlobal(
      abi.modelDesc, kModelDescriptorSymbol, LLVM::Linkage::External, [&] {
        return emitter.structValue(
            abi.modelDesc,
            {emitter.constant(abi.i32, KILN_MODEL_ABI_VERSION),
             emitter.addressOf(nameGlobal), emitter.addressOf(kindGlobal),
             count(shapes.symbols.size()), emitter.addressOf(sizesGlobal),
             count(inputs.size()), emitter.addressOf(inputsGlobal),
             count(weights.size()), emitter.addressOf(weightsGlobal),
             count(summary.packedWeights.size()),
             emitter.addressOf(packedGlobal), count(outputs.size()),
             emitter.addressOf(outputsGlobal),
             emitter.constant(abi.i64, arenaBytes.getInt()),
             count(kernelCallNames.size()), emitter.addressOf(callNamesGlobal),
             emitter.addressOf("kiln_forward")});
      });
  return success();
}

} // namespace kiln::host
