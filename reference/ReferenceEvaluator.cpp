//===- ReferenceEvaluator.cpp - fp64 evaluator of kiln IR -----------------===//
//
// The walker of the reference evaluator: checks the arguments against the
// function type, evaluates the ops of the body in order by dispatching to
// the per-op evaluators, checks every computed result against its type, and
// returns the operands of `func.return`. Also the helpers the per-op
// evaluators share.
//
//===----------------------------------------------------------------------===//

#include "reference/ReferenceEvaluator.h"
#include "reference/OpEvaluators.h"

#include "dialect/ShapeUtils.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace kiln;

namespace kiln {

//===----------------------------------------------------------------------===//
// ValueTensors
//===----------------------------------------------------------------------===//

const ReferenceTensor &ValueTensors::lookup(Value value) const {
  auto it = tensors.find(value);
  assert(it != tensors.end() && "value used before it was evaluated");
  return *it->second;
}

const ReferenceTensor *ValueTensors::lookupOptional(Value value) const {
  return value ? &lookup(value) : nullptr;
}

void ValueTensors::bind(Value value, ReferenceTensor tensor) {
  tensors[value] = std::make_unique<ReferenceTensor>(std::move(tensor));
}

//===----------------------------------------------------------------------===//
// Helpers shared by the op evaluators
//===----------------------------------------------------------------------===//

std::string describeArgument(func::FuncOp func, unsigned index) {
  std::string description = "argument " + std::to_string(index);
  for (StringRef attrName : {"kiln.input", "kiln.weight"})
    if (auto name = func.getArgAttrOfType<StringAttr>(index, attrName))
      return description + " (" + name.str() + ")";
  return description;
}

LogicalResult checkSize(Operation *op, const Twine &what, int64_t actual,
                        int64_t expected) {
  if (actual == expected)
    return success();
  return op->emitError() << "expected " << what << " to be " << expected
                         << ", got " << actual;
}

LogicalResult checkShape(Operation *op, const Twine &what,
                         ArrayRef<int64_t> actual, ArrayRef<int64_t> expected) {
  if (actual == expected)
    return success();
  return op->emitError() << "expected " << what << " shape "
                         << formatShape(expected) << ", got "
                         << formatShape(actual);
}

ReferenceTensor mapElements(const ReferenceTensor &input,
                            llvm::function_ref<double(double)> function) {
  ReferenceTensor output(input.getShape());
  for (int64_t i = 0, e = input.getNumElements(); i < e; ++i)
    output[i] = function(input[i]);
  return output;
}

//===----------------------------------------------------------------------===//
// The walker
//===----------------------------------------------------------------------===//

namespace {

/// Checks `argument` against the type of argument `index` of `func`.
LogicalResult checkArgument(func::FuncOp func, unsigned index,
                            const ReferenceTensor &argument) {
  Type type = func.getArgumentTypes()[index];
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType)
    return func.emitError() << "expected " << describeArgument(func, index)
                            << " to be a ranked tensor, got " << type;
  if (!areShapesCompatible(argument.getShape(), tensorType.getShape()))
    return func.emitError()
           << "expected " << describeArgument(func, index) << " of shape "
           << formatShape(tensorType.getShape()) << ", got "
           << formatShape(argument.getShape());
  if (!tensorType.getElementType().isIntOrIndex())
    return success();
  for (auto [position, element] : llvm::enumerate(argument.getElements()))
    if (element != std::trunc(element))
      return func.emitError()
             << "expected integers in " << describeArgument(func, index)
             << ", got " << element << " at element " << position;
  return success();
}

/// Checks that the tensors computed for the results of `op` fit their
/// types, which catches dynamic sizes that disagree with static ones.
LogicalResult checkResults(Operation *op, const ValueTensors &values) {
  for (OpResult result : op->getResults()) {
    auto type = cast<RankedTensorType>(result.getType());
    ArrayRef<int64_t> shape = values.lookup(result).getShape();
    if (!areShapesCompatible(shape, type.getShape()))
      return op->emitError() << "expected result " << result.getResultNumber()
                             << " shape " << formatShape(type.getShape())
                             << ", got " << formatShape(shape);
  }
  return success();
}

/// Evaluates one op of the body and binds its results in `values`.
LogicalResult evaluateOperation(Operation *op, ValueTensors &values) {
  LogicalResult result =
      llvm::TypeSwitch<Operation *, LogicalResult>(op)
          .Case<arith::ConstantOp, EmbeddingOp, LearnedPositionsOp,
                SinusoidalPositionsOp, RopeOp, LinearOp, MatmulOp, AddOp,
                SubOp, MulOp, DivOp, ScaleOp, ActivationOp, CastOp,
                LayerNormOp, RmsNormOp, AddLayerNormOp, AddRmsNormOp,
                SoftmaxOp, CausalMaskOp, SlidingWindowMaskOp, PaddingMaskOp,
                AttentionOp, SplitHeadsOp, MergeHeadsOp, RepeatKvOp,
                TransposeOp, ReshapeOp, SliceOp, MeanPoolOp, L2NormalizeOp>(
              [&](auto concreteOp) { return evaluateOp(concreteOp, values); })
          .Default([](Operation *op) {
            return op->emitError()
                   << "the reference evaluator does not support op '"
                   << op->getName() << "'";
          });
  if (failed(result))
    return failure();
  return checkResults(op, values);
}

} // namespace

FailureOr<std::vector<ReferenceTensor>>
evaluateFunction(func::FuncOp func, ArrayRef<ReferenceTensor> arguments) {
  if (func.isExternal())
    return func.emitError() << "expected a function body to evaluate";
  if (!llvm::hasSingleElement(func.getBody()))
    return func.emitError() << "expected a function body of one block, got "
                            << func.getBody().getBlocks().size();
  unsigned numInputs = func.getNumArguments();
  if (arguments.size() != numInputs)
    return func.emitError() << "expected " << numInputs << " arguments, got "
                            << arguments.size();

  ValueTensors values;
  Block &body = func.getBody().front();
  for (auto [index, argument] : llvm::enumerate(arguments)) {
    if (failed(checkArgument(func, index, argument)))
      return failure();
    values.bind(body.getArgument(index), argument);
  }

  for (Operation &op : body) {
    if (auto returnOp = dyn_cast<func::ReturnOp>(op)) {
      std::vector<ReferenceTensor> results;
      for (Value operand : returnOp.getOperands())
        results.push_back(values.lookup(operand));
      return results;
    }
    if (failed(evaluateOperation(&op, values)))
      return failure();
  }
  return func.emitError() << "expected the body to end with func.return";
}

} // namespace kiln
