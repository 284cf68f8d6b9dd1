//===- ForwardLayout.cpp - Where the forward function's tensors live ------===//

#include "codegen/host/ForwardLayout.h"

#include "dialect/KilnOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;

namespace kiln::host {

/// The value whose buffer `value` views: itself unless it is a reshape.
static Value viewSource(Value value) {
  while (auto reshape = value.getDefiningOp<kiln::ReshapeOp>())
    value = reshape.getInput();
  return value;
}

FailureOr<ForwardLayout> analyzeForwardLayout(func::FuncOp func) {
  ForwardLayout layout;
  Block &body = func.getBody().front();
  for (BlockArgument argument : body.getArguments()) {
    unsigned number = argument.getArgNumber();
    if (func.getArgAttr(number, "kiln.input")) {
      layout.storage[argument] = {Storage::Kind::Input,
                                  static_cast<int64_t>(layout.inputs.size())};
      layout.inputs.push_back(argument);
    } else if (func.getArgAttr(number, "kiln.weight")) {
      layout.storage[argument] = {Storage::Kind::Weight,
                                  static_cast<int64_t>(layout.weights.size())};
      layout.weights.push_back(argument);
    } else {
      return func.emitError() << "argument " << number
                              << " is neither a 'kiln.input' nor a "
                                 "'kiln.weight'";
    }
  }

  // Returned values are computed straight into the caller's buffers.
  auto terminator = cast<func::ReturnOp>(body.getTerminator());
  llvm::DenseMap<Value, int64_t> outputOf;
  for (auto [index, value] : llvm::enumerate(terminator.getOperands())) {
    layout.outputs.push_back(value);
    Value source = viewSource(value);
    if (isa<BlockArgument>(source) || source.getDefiningOp<arith::ConstantOp>())
      return func.emitError() << "result " << index
                              << " returns an argument or a constant, which "
                                 "the host code cannot copy";
    if (!outputOf.try_emplace(source, index).second)
      return func.emitError() << "result " << index
                              << " returns the same tensor as an earlier "
                                 "result";
  }

  for (Operation &op : body.without_terminator()) {
    if (isa<arith::ConstantOp>(op)) {
      layout.storage[op.getResult(0)] = {Storage::Kind::Constant, 0, &op};
      continue;
    }
    if (auto reshape = dyn_cast<kiln::ReshapeOp>(op)) {
      auto source = layout.storage.find(reshape.getInput());
      if (source == layout.storage.end())
        return reshape.emitError() << "reshapes a tensor without storage";
      Storage storage = source->second;
      layout.storage[reshape.getOutput()] = storage;
      continue;
    }
    auto offsets = op.getAttrOfType<DenseI64ArrayAttr>("kiln.arena_offsets");
    if (!offsets || offsets.size() != static_cast<int64_t>(op.getNumResults()))
      return op.emitError() << "has no memory plan: run kiln-plan-memory "
                               "before generating host code";
    for (auto [result, offset] :
         llvm::zip_equal(op.getResults(), offsets.asArrayRef())) {
      auto output = outputOf.find(result);
      if (output != outputOf.end())
        layout.storage[result] = {Storage::Kind::Output, output->second};
      else if (offset >= 0)
        layout.storage[result] = {Storage::Kind::Arena, offset};
      else
        return op.emitError() << "result has no arena offset";
    }
  }
  // A returned view shares its source's (output) storage.
  for (Value output : layout.outputs)
    layout.storage[output] = layout.storage[viewSource(output)];
  return layout;
}

} // namespace kiln::host
