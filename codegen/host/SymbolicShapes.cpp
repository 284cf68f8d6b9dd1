//===- SymbolicShapes.cpp - Tensor sizes in terms of run-time sizes -------===//

#include "codegen/host/SymbolicShapes.h"

#include "dialect/ShapeInference.h"

#include "mlir/IR/BuiltinOps.h"

using namespace mlir;

namespace kiln {

namespace {

/// Collects size symbols by name, each with its bound.
class SymbolTable {
public:
  explicit SymbolTable(std::vector<SizeSymbol> &symbols) : symbols(symbols) {}

  /// The dimension encoding of symbol `name` bounded by `max`.
  int64_t get(StringRef name, int64_t max) {
    for (auto [index, symbol] : llvm::enumerate(symbols))
      if (symbol.name == name)
        return symbolicDim(index);
    symbols.push_back({name.str(), max});
    return symbolicDim(symbols.size() - 1);
  }

private:
  std::vector<SizeSymbol> &symbols;
};

/// The name of the run-time size behind dynamic dimension `dim` of the
/// input named `inputName` (see SymbolicShapes.h).
StringRef sizeNameOf(StringRef inputName, unsigned dim) {
  if (dim == 0)
    return "batch";
  return inputName.starts_with("encoder_") ? "encoder_seq" : "seq";
}

} // namespace

FailureOr<SymbolicShapes> computeSymbolicShapes(func::FuncOp func) {
  auto module = func->getParentOfType<ModuleOp>();
  auto boundOf = [&](StringRef attrName) -> std::optional<int64_t> {
    if (auto attr = module->getAttrOfType<IntegerAttr>(attrName))
      return attr.getInt();
    return std::nullopt;
  };
  std::optional<int64_t> maxBatch = boundOf("kiln.max_batch");
  std::optional<int64_t> maxSeqLen = boundOf("kiln.max_seq_len");

  SymbolicShapes result;
  SymbolTable symbols(result.symbols);
  Block &body = func.getBody().front();
  for (BlockArgument argument : body.getArguments()) {
    auto type = cast<RankedTensorType>(argument.getType());
    auto name = func.getArgAttrOfType<StringAttr>(argument.getArgNumber(),
                                                  "kiln.input");
    SmallVector<int64_t> shape(type.getShape());
    for (auto [dim, size] : llvm::enumerate(shape)) {
      if (!ShapedType::isDynamic(size))
        continue;
      StringRef sizeName = sizeNameOf(name ? name.getValue() : "", dim);
      std::optional<int64_t> bound = dim == 0 ? maxBatch : maxSeqLen;
      if (!name || !bound)
        return func.emitError()
               << "cannot bound dynamic dimension " << dim << " of argument "
               << argument.getArgNumber() << ": expected a 'kiln.input' "
               << "argument and the module's "
               << (dim == 0 ? "kiln.max_batch" : "kiln.max_seq_len");
      size = symbols.get(sizeName, *bound);
    }
    result.shapes[argument] = shape;
  }

  for (Operation &op : body.without_terminator()) {
    SmallVector<kiln::ConcreteShape> operandShapes;
    for (Value operand : op.getOperands())
      operandShapes.push_back(kiln::ConcreteShape(result.lookup(operand)));
    // The shape rules only copy dynamic sizes between operands and
    // results, so symbols pass through them unchanged.
    FailureOr<SmallVector<kiln::ConcreteShape>> shapes =
        kiln::inferConcreteResultShapes(&op, operandShapes);
    if (failed(shapes))
      return failure();
    for (auto [value, shape] : llvm::zip_equal(op.getResults(), *shapes))
      result.shapes[value] = shape;
  }
  return result;
}

} // namespace kiln
