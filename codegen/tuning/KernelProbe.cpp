//===- KernelProbe.cpp - The kernels of a model, ready to measure ---------===//
//
// Probe modules are built by cloning one op into a fresh function; their
// shapes come from the host code's symbolic shapes, so the tuner measures
// exactly the sizes that a compiled model passes to the kernel.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/KernelProbe.h"

#include "codegen/cpu/KernelCompiler.h"
#include "codegen/host/SymbolicShapes.h"
#include "dialect/KilnDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace kiln {

/// The name of the probe function.
static constexpr llvm::StringLiteral kProbeName = "probe";

/// Builds `func.func @<name>(<argumentTypes>) -> <resultTypes>` at the end
/// of `module`, holding a clone of `op` whose operands are the arguments,
/// with the argument attributes `argumentAttrs` (one dictionary or null per
/// argument).
static func::FuncOp buildOpFunction(ModuleOp module, Operation *op,
                                    StringRef name, TypeRange argumentTypes,
                                    TypeRange resultTypes,
                                    ArrayRef<DictionaryAttr> argumentAttrs) {
  OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
  auto func = builder.create<func::FuncOp>(
      op->getLoc(), name, builder.getFunctionType(argumentTypes, resultTypes));
  for (auto [index, attrs] : llvm::enumerate(argumentAttrs))
    if (attrs)
      func.setArgAttrs(index, attrs);
  Block *body = func.addEntryBlock();
  builder.setInsertionPointToStart(body);
  IRMapping mapping;
  mapping.map(op->getOperands(), body->getArguments());
  Operation *clone = builder.clone(*op, mapping);
  for (auto [result, type] : llvm::zip_equal(clone->getResults(), resultTypes))
    result.setType(type);
  builder.create<func::ReturnOp>(op->getLoc(), clone->getResults());
  return func;
}

/// The argument attributes of `value` when it is an argument of its
/// function, else null.
static DictionaryAttr getArgumentAttrs(Value value) {
  auto argument = dyn_cast<BlockArgument>(value);
  if (!argument)
    return nullptr;
  auto func = dyn_cast<func::FuncOp>(argument.getOwner()->getParentOp());
  return func ? func.getArgAttrDict(argument.getArgNumber()) : nullptr;
}

/// The probe module of `op` as MLIR text; fails with an error on `op` when
/// the clone's signature differs from `key`.
static FailureOr<std::string> printProbe(Operation *op, StringRef key) {
  OwningOpRef<ModuleOp> module = ModuleOp::create(op->getLoc());
  SmallVector<DictionaryAttr> argumentAttrs;
  for (Value operand : op->getOperands())
    argumentAttrs.push_back(getArgumentAttrs(operand));
  buildOpFunction(*module, op, kProbeName, op->getOperandTypes(),
                  op->getResultTypes(), argumentAttrs);
  Operation *probeOp = findProbeOp(*module);
  FailureOr<KernelSignature> signature = signatureOf(probeOp);
  if (failed(signature))
    return failure();
  if (signature->key() != key)
    return op->emitError() << "the tuning probe of this op has signature '"
                           << signature->key() << "', expected '" << key << "'";
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

/// The concrete shapes of `values` at `workload`.
static FailureOr<std::vector<ConcreteShape>>
resolveShapes(Operation *op, ValueRange values, const SymbolicShapes &shapes,
              const ShapeWorkload &workload) {
  std::vector<ConcreteShape> resolved;
  for (Value value : values) {
    ConcreteShape shape;
    for (int64_t dim : shapes.lookup(value)) {
      if (!isSymbolicDim(dim)) {
        shape.push_back(dim);
        continue;
      }
      const SizeSymbol &symbol = shapes.symbols[symbolOfDim(dim)];
      std::optional<int64_t> size = workload.getSize(symbol.name);
      if (!size)
        return op->emitError()
               << "cannot tune a kernel whose sizes depend on '" << symbol.name
               << "': shape buckets set batch and seq only";
      if (*size > symbol.max)
        return op->emitError()
               << "the shape bucket sets '" << symbol.name << "' to " << *size
               << ", above the model's maximum of " << symbol.max;
      shape.push_back(*size);
    }
    resolved.push_back(std::move(shape));
  }
  return resolved;
}

/// The shapes of the call of `op` at `workload`.
static FailureOr<KernelWorkload>
resolveWorkload(Operation *op, const SymbolicShapes &shapes,
                const ShapeWorkload &workload) {
  KernelWorkload resolved;
  resolved.name = workload.str();
  FailureOr<std::vector<ConcreteShape>> operands =
      resolveShapes(op, op->getOperands(), shapes, workload);
  FailureOr<std::vector<ConcreteShape>> results =
      resolveShapes(op, op->getResults(), shapes, workload);
  if (failed(operands) || failed(results))
    return failure();
  resolved.operands = std::move(*operands);
  resolved.results = std::move(*results);
  return resolved;
}

FailureOr<std::vector<TuningKernel>>
collectTuningKernels(func::FuncOp forward, const ShapeBucket &bucket,
                     const ShapeWorkload &check) {
  FailureOr<KernelPlan> plan = planKernels(forward);
  FailureOr<SymbolicShapes> shapes = computeSymbolicShapes(forward);
  if (failed(plan) || failed(shapes))
    return failure();
  std::vector<TuningKernel> kernels;
  for (auto [index, entry] : llvm::enumerate(plan->entries)) {
    Operation *op = entry.ops.front();
    std::string key = entry.signature.key();
    FailureOr<std::string> probe = printProbe(op, key);
    FailureOr<KernelWorkload> checkWorkload =
        resolveWorkload(op, *shapes, check);
    if (failed(probe) || failed(checkWorkload))
      return failure();
    TuningKernel kernel{getKernelName(index, entry.signature),
                        entry.signature,
                        key,
                        static_cast<unsigned>(entry.ops.size()),
                        std::move(*probe),
                        {},
                        std::move(*checkWorkload)};
    for (const ShapeWorkload &workload : bucket.getWorkloads()) {
      FailureOr<KernelWorkload> resolved =
          resolveWorkload(op, *shapes, workload);
      if (failed(resolved))
        return failure();
      kernel.workloads.push_back(std::move(*resolved));
    }
    kernels.push_back(std::move(kernel));
  }
  return kernels;
}

Operation *findProbeOp(ModuleOp module) {
  auto func = module.lookupSymbol<func::FuncOp>(kProbeName);
  if (!func || func.getBody().empty())
    return nullptr;
  for (Operation &op : func.getBody().front())
    if (isa<KilnDialect>(op.getDialect()))
      return &op;
  return nullptr;
}

/// The ranked tensor types of `shapes` with the element types of `types`.
static FailureOr<SmallVector<Type>>
getStaticTypes(Operation *op, TypeRange types, ArrayRef<ConcreteShape> shapes,
               StringRef what) {
  if (types.size() != shapes.size())
    return op->emitError() << "expected " << types.size() << " " << what
                           << " shapes, got " << shapes.size();
  SmallVector<Type> staticTypes;
  for (auto [type, shape] : llvm::zip_equal(types, shapes)) {
    auto tensorType = cast<RankedTensorType>(type);
    if (tensorType.getRank() != static_cast<int64_t>(shape.size()))
      return op->emitError()
             << "expected " << what << " shape of rank " << tensorType.getRank()
             << ", got rank " << shape.size();
    staticTypes.push_back(
        RankedTensorType::get(shape, tensorType.getElementType()));
  }
  return staticTypes;
}

FailureOr<func::FuncOp> specializeProbe(Operation *probeOp,
                                        const KernelWorkload &workload) {
  FailureOr<SmallVector<Type>> operandTypes = getStaticTypes(
      probeOp, probeOp->getOperandTypes(), workload.operands, "operand");
  if (failed(operandTypes))
    return failure();
  FailureOr<SmallVector<Type>> resultTypes = getStaticTypes(
      probeOp, probeOp->getResultTypes(), workload.results, "result");
  if (failed(resultTypes))
    return failure();
  auto module = probeOp->getParentOfType<ModuleOp>();
  SmallVector<DictionaryAttr> argumentAttrs;
  for (Value operand : probeOp->getOperands())
    argumentAttrs.push_back(getArgumentAttrs(operand));
  std::string name =
      "probe_" + std::to_string(module.getBody()->getOperations().size());
  func::FuncOp func = buildOpFunction(module, probeOp, name, *operandTypes,
                                      *resultTypes, argumentAttrs);
  if (failed(verify(func)))
    return failure();
  return func;
}

} // namespace kiln
