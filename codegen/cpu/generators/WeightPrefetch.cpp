//===- WeightPrefetch.cpp - Prefetching the next block of weights ---------===//
//
// The pass runs on Halide's lowered statement, where the schedule's loops
// carry the names `<func>.s<stage>.<var>`: it finds the row-tile loop of the
// accumulator's update and, inside it, the loop over a block of the
// contraction. The index of the first load of the weight in that loop is
// the block's offset as a function of the loop variable; one block further
// on it is the next block's.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/WeightPrefetch.h"

#include "llvm/ADT/StringRef.h"

using namespace Halide;
using namespace Halide::Internal;

namespace kiln {

namespace {

/// The first load from buffer `name` in a statement.
class FirstLoadFinder : public IRVisitor {
public:
  explicit FirstLoadFinder(std::string name) : name(std::move(name)) {}

  const Load *found = nullptr;

private:
  using IRVisitor::visit;

  void visit(const Load *op) override {
    if (!found && op->name == name)
      found = op;
    IRVisitor::visit(op);
  }

  std::string name;
};

/// The variables that lets inside a statement bind, which expressions
/// outside it cannot use.
class LetNames : public IRVisitor {
public:
  Scope<> names;

private:
  using IRVisitor::visit;

  void visit(const Let *op) override {
    names.push(op->name);
    IRVisitor::visit(op);
  }

  void visit(const LetStmt *op) override {
    names.push(op->name);
    IRVisitor::visit(op);
  }
};

/// Inserts the prefetch calls; see addNextWeightBlockPrefetch.
class NextWeightBlockPrefetch : public IRMutator {
public:
  NextWeightBlockPrefetch(const std::string &accumulator, std::string weight,
                          int kBlock, int64_t blockBytes)
      : updatePrefix(accumulator + ".s1."), weight(std::move(weight)),
        kBlock(kBlock), blockBytes(blockBytes) {}

private:
  using IRMutator::visit;

  /// Whether `loop` is the update's loop over `var` (a name suffix).
  bool isUpdateLoop(const For *loop, llvm::StringRef var) const {
    llvm::StringRef name = loop->name;
    return name.starts_with(updatePrefix) && name.ends_with(var);
  }

  Stmt visit(const For *op) override {
    if (isUpdateLoop(op, ".row_tile")) {
      const For *outer = std::exchange(rowTile, op);
      Stmt mutated = IRMutator::visit(op);
      rowTile = outer;
      return mutated;
    }
    if (!rowTile || !isUpdateLoop(op, ".k_inner"))
      return IRMutator::visit(op);
    FirstLoadFinder finder(weight);
    op->body.accept(&finder);
    if (!finder.found)
      return op;
    const Load *load = finder.found;
    Expr index = load->index;
    if (const Ramp *ramp = index.as<Ramp>())
      index = ramp->base;
    Expr nextBlock = substitute(op->name, op->min + kBlock, index);
    // The call goes before the loop: a schedule whose index needs the
    // loop body's lets gets no prefetch.
    LetNames inner;
    op->body.accept(&inner);
    if (expr_uses_vars(nextBlock, inner.names))
      return op;
    Expr nextBlockOffset =
        cast<int64_t>(nextBlock) * make_const(Int(64), load->type.bytes());
    Expr part = Variable::make(Int(32), rowTile->name) - rowTile->min;
    Expr call =
        Call::make(Int(32), kWeightPrefetchFunction,
                   {Variable::make(Handle(), load->name), nextBlockOffset,
                    make_const(Int(64), blockBytes), part, rowTile->extent},
                   Call::Extern);
    return Block::make(Evaluate::make(call), op);
  }

  std::string updatePrefix;
  std::string weight;
  int kBlock;
  int64_t blockBytes;
  /// The row-tile loop being visited, if any.
  const For *rowTile = nullptr;
};

} // namespace

void addNextWeightBlockPrefetch(Pipeline &pipeline,
                                const std::string &accumulator,
                                const std::string &weight, int kBlock,
                                int64_t blockBytes) {
  pipeline.add_custom_lowering_pass(
      new NextWeightBlockPrefetch(accumulator, weight, kBlock, blockBytes));
}

} // namespace kiln
