//===- PlanMemory.cpp - Pack intermediate tensors into one arena ----------===//
//
// Liveness-based memory planning for the forward function. The runtime
// allocates one arena of `kiln.arena_size` bytes once; every tensor the
// function computes lives at a fixed offset in it, and tensors that are
// never live at the same time share bytes.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnOps.h"
#include "dialect/ShapeInference.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/MathExtras.h"

namespace kiln {
#define GEN_PASS_DEF_KILNPLANMEMORYPASS
#include "passes/Passes.h.inc"
} // namespace kiln

using namespace mlir;
using namespace kiln;

namespace {

/// A tensor that needs its own bytes in the arena.
struct Buffer {
  Value value;
  int64_t bytes = 0;
  /// Positions (in body order) of the defining op and of the last op that
  /// reads the buffer, directly or through a view.
  int64_t firstUse = 0, lastUse = 0;
  int64_t offset = -1;
};

/// Bytes of one element of `type`, rounding sub-byte types up to a byte.
int64_t elementBytes(Type type) {
  return llvm::divideCeil(type.getIntOrFloatBitWidth(), 8);
}

/// The largest tensor the arena holds: 16 TiB, beyond any machine's memory
/// and small enough that the arena's sums of many such sizes fit in
/// int64_t.
constexpr int64_t kMaxTensorBytes = int64_t(1) << 44;

/// The bytes of a tensor of `shape` with `elementSize`-byte elements, or
/// std::nullopt above kMaxTensorBytes.
std::optional<int64_t> tensorBytes(ArrayRef<int64_t> shape,
                                   int64_t elementSize) {
  int64_t bytes = elementSize;
  for (int64_t dim : shape)
    if (llvm::MulOverflow(bytes, dim, bytes) || bytes > kMaxTensorBytes)
      return std::nullopt;
  return bytes;
}

/// Places buffers greedily by decreasing size at the lowest offset that does
/// not collide with an already placed buffer whose live range overlaps.
/// Returns the arena size.
int64_t assignOffsets(MutableArrayRef<Buffer> buffers, int64_t alignment) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  // Larger first; ties in program order, so the plan is deterministic.
  llvm::sort(order, [](const Buffer *a, const Buffer *b) {
    return std::make_pair(-a->bytes, a->firstUse) <
           std::make_pair(-b->bytes, b->firstUse);
  });
  SmallVector<Buffer *> placed;
  int64_t arenaSize = 0;
  for (Buffer *buffer : order) {
    // Address ranges of live-overlapping buffers, by increasing offset.
    SmallVector<std::pair<int64_t, int64_t>> taken;
    for (Buffer *other : placed)
      if (other->firstUse <= buffer->lastUse &&
          buffer->firstUse <= other->lastUse)
        taken.push_back({other->offset, other->offset + other->bytes});
    llvm::sort(taken);
    int64_t offset = 0;
    for (auto [begin, end] : taken) {
      if (offset + buffer->bytes <= begin)
        break;
      offset = std::max<int64_t>(offset, llvm::alignTo(end, alignment));
    }
    buffer->offset = offset;
    arenaSize = std::max(arenaSize, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return static_cast<int64_t>(llvm::alignTo(arenaSize, alignment));
}

struct PlanMemoryPass : public kiln::impl::KilnPlanMemoryPassBase<PlanMemoryPass> {
  using KilnPlanMemoryPassBase::KilnPlanMemoryPassBase;

  void runOnOperation() override;

private:
  /// Reads a bound from the pass option or the module attribute `name`.
  std::optional<int64_t> getBound(int64_t option, StringRef name);
  /// Bounds the shape of argument `argument` (see the pass description).
  FailureOr<ConcreteShape> boundArgument(BlockArgument argument,
                                         std::optional<int64_t> batch,
                                         std::optional<int64_t> seq);
};

std::optional<int64_t> PlanMemoryPass::getBound(int64_t option,
                                                StringRef name) {
  if (option > 0)
    return option;
  auto module = getOperation()->getParentOfType<ModuleOp>();
  if (module)
    if (auto attr = module->getAttrOfType<IntegerAttr>(name))
      return attr.getInt();
  return std::nullopt;
}

FailureOr<ConcreteShape>
PlanMemoryPass::boundArgument(BlockArgument argument,
                              std::optional<int64_t> batch,
                              std::optional<int64_t> seq) {
  auto type = dyn_cast<RankedTensorType>(argument.getType());
  if (!type)
    return ConcreteShape();
  ConcreteShape shape(type.getShape());
  for (auto [i, dim] : llvm::enumerate(shape)) {
    if (!ShapedType::isDynamic(dim))
      continue;
    std::optional<int64_t> bound = i == 0 ? batch : seq;
    if (!bound)
      return getOperation().emitError()
             << "cannot bound dynamic dimension " << i << " of argument "
             << argument.getArgNumber() << ": set "
             << (i == 0 ? "max-batch or the module's kiln.max_batch"
                        : "max-seq-len or the module's kiln.max_seq_len");
    dim = *bound;
  }
  return shape;
}

void PlanMemoryPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  if (!func.getBody().hasOneBlock()) {
    func.emitError() << "memory planning expects a single-block function";
    return signalPassFailure();
  }
  std::optional<int64_t> batch = getBound(maxBatch, "kiln.max_batch");
  std::optional<int64_t> seq = getBound(maxSeqLen, "kiln.max_seq_len");
  Block &body = func.getBody().front();

  // Upper-bound shapes of every value, starting from the arguments.
  llvm::DenseMap<Value, ConcreteShape> shapes;
  for (BlockArgument argument : body.getArguments()) {
    FailureOr<ConcreteShape> shape = boundArgument(argument, batch, seq);
    if (failed(shape))
      return signalPassFailure();
    shapes[argument] = *shape;
  }

  // Buffers, and the buffer each value lives in (views share their
  // source's); values outside the arena map to nothing.
  SmallVector<Buffer> buffers;
  llvm::DenseMap<Value, int64_t> bufferOf;
  int64_t end = std::distance(body.begin(), body.end());
  for (auto [position, op] : llvm::enumerate(body)) {
    for (Value operand : op.getOperands()) {
      auto it = bufferOf.find(operand);
      if (it != bufferOf.end())
        buffers[it->second].lastUse =
            isa<func::ReturnOp>(op) ? end : static_cast<int64_t>(position);
    }
    if (op.getNumResults() == 0)
      continue;
    SmallVector<ConcreteShape> operandShapes;
    for (Value operand : op.getOperands())
      operandShapes.push_back(shapes.lookup(operand));
    FailureOr<SmallVector<ConcreteShape>> resultShapes =
        inferConcreteResultShapes(&op, operandShapes);
    if (failed(resultShapes))
      return signalPassFailure();
    for (auto [result, shape] : llvm::zip_equal(op.getResults(),
                                                *resultShapes))
      shapes[result] = shape;
    if (isa<arith::ConstantOp>(op))
      continue;
    if (auto reshape = dyn_cast<ReshapeOp>(op)) {
      auto source = bufferOf.find(reshape.getInput());
      if (source != bufferOf.end())
        bufferOf[reshape.getOutput()] = source->second;
      continue;
    }
    for (auto [result, shape] : llvm::zip_equal(op.getResults(),
                                                *resultShapes)) {
      std::optional<int64_t> bytes = tensorBytes(
          shape, elementBytes(getElementTypeOrSelf(result.getType())));
      if (!bytes) {
        op.emitError() << "a result of shape ["
                       << llvm::make_range(shape.begin(), shape.end())
                       << "] at the largest batch and sequence needs more "
                          "than "
                       << (kMaxTensorBytes >> 40) << " TiB";
        return signalPassFailure();
      }
      bufferOf[result] = buffers.size();
      int64_t here = position;
      buffers.push_back({result, *bytes, here, here, -1});
    }
  }

  int64_t arenaSize = assignOffsets(buffers, alignment);
  int64_t unsharedSize = 0;
  for (const Buffer &buffer : buffers)
    unsharedSize += llvm::alignTo(buffer.bytes, alignment);

  Builder builder(&getContext());
  for (Operation &op : body) {
    if (op.getNumResults() == 0 || isa<arith::ConstantOp>(op))
      continue;
    SmallVector<int64_t> offsets;
    for (Value result : op.getResults()) {
      auto it = bufferOf.find(result);
      offsets.push_back(it == bufferOf.end() ? -1
                                             : buffers[it->second].offset);
    }
    op.setAttr("kiln.arena_offsets", builder.getDenseI64ArrayAttr(offsets));
  }
  func->setAttr("kiln.arena_size", builder.getI64IntegerAttr(arenaSize));
  func->setAttr("kiln.arena_unshared_size",
                builder.getI64IntegerAttr(unsharedSize));
}

} // namespace
