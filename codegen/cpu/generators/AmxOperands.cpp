//===- AmxOperands.cpp - Operands of AMX tile products in Halide ----------===//

#include "codegen/cpu/generators/AmxOperands.h"

#include "codegen/cpu/generators/GeneratorSupport.h"

#include "llvm/ADT/STLExtras.h"

using namespace llvm;

namespace kiln {

/// The bf16 bits of piece `piece` (0: hi, 1: mid, 2: lo) of `value`. The
/// differences are exact, which fast-math must not reassociate.
static Halide::Expr getPieceBits(const Halide::Expr &value,
                                 const Halide::Expr &piece) {
  auto bits = [](const Halide::Expr &x) {
    return Halide::reinterpret(Halide::UInt(32), x);
  };
  auto truncated = [&](const Halide::Expr &x) {
    return Halide::reinterpret(Halide::Float(32),
                               bits(x) & Halide::Expr(uint32_t(0xffff0000u)));
  };
  Halide::Expr mid = Halide::strict_float(value - truncated(value));
  Halide::Expr lo = Halide::strict_float(mid - truncated(mid));
  Halide::Expr split = Halide::select(piece == 0, value, piece == 1, mid, lo);
  return Halide::cast(Halide::UInt(16), bits(split) >> 16);
}

/// The variables of an operand's tiles: (element in tile row, tile row,
/// piece, step, group, outer...).
static std::vector<Halide::Var> makeTileVars(const std::string &inRow,
                                             const std::string &tileRow,
                                             unsigned outerDims) {
  std::vector<Halide::Var> vars = {Halide::Var(inRow), Halide::Var(tileRow),
                                   Halide::Var("piece"), Halide::Var("step"),
                                   Halide::Var("group")};
  append_range(vars, makeVars(outerDims, "outer"));
  return vars;
}

AmxOperand splitIntoRowTiles(const std::string &name, const AmxValueFn &valueAt,
                             unsigned outerDims) {
  std::vector<Halide::Var> vars =
      makeTileVars("feature_in_step", "row_in_group", outerDims);
  Halide::Expr value =
      valueAt(vars[4] * kAmxTileRows + vars[1],
              vars[3] * kAmxTileDepth + vars[0], ArrayRef(vars).drop_front(5));
  AmxOperand operand;
  operand.tiles = Halide::Func(name);
  operand.tiles(vars) = getPieceBits(value, vars[2]);
  return operand;
}

AmxOperand splitIntoPairTiles(const std::string &name, const AmxPairFn &pairAt,
                              unsigned outerDims) {
  std::vector<Halide::Var> vars = makeTileVars("n", "a", outerDims);
  Halide::Var n = vars[0], a = vars[1], piece = vars[2];
  ArrayRef<Halide::Var> outer = ArrayRef(vars).drop_front(5);
  auto [first, second] = pairAt(a, n, vars[3], vars[4], outer);
  auto widened = [&](const Halide::Expr &value) {
    return Halide::cast(Halide::UInt(32), getPieceBits(value, piece));
  };
  // pairs(a, n, ...): the source's rows n read with a in the lanes.
  std::vector<Halide::Var> pairVars = {a, n};
  append_range(pairVars, ArrayRef(vars).drop_front(2));
  AmxOperand operand;
  operand.pairs = Halide::Func(name + "_pairs");
  operand.pairs(pairVars) = (widened(second) << 16) | widened(first);
  operand.tiles = Halide::Func(name);
  operand.tiles(vars) = operand.pairs(pairVars);
  return operand;
}

void scheduleAmxOperand(const AmxOperand &operand, const Schedule &schedule) {
  Halide::Func tiles = operand.tiles;
  std::vector<Halide::Var> vars = tiles.args();
  Halide::Var inRow = vars[0], tileRow = vars[1], piece = vars[2],
              step = vars[3], group = vars[4];
  bool isPairs = operand.pairs.defined();
  int inRowElements = isPairs ? kAmxTileDepth / 2 : kAmxTileDepth;
  tiles.compute_root()
      .bound(inRow, 0, inRowElements)
      .bound(tileRow, 0, kAmxTileRows)
      .bound(piece, 0, kAmxPieces);
  if (isPairs) {
    // Each tile row gathers one lane of 16 vectors of pairs: a transposition
    // in registers.
    tiles.reorder(inRow, piece, tileRow, step, group)
        .vectorize(inRow)
        .unroll(piece)
        .unroll(tileRow);
    Halide::Func pairs = operand.pairs;
    pairs.compute_at(tiles, step)
        .reorder(tileRow, piece, inRow)
        .vectorize(tileRow)
        .unroll(piece);
  } else {
    tiles.reorder(inRow, piece, tileRow, step, group)
        .unroll(piece)
        .vectorize(inRow);
  }
  fuseIntoParallelTask(tiles, group, ArrayRef(vars).drop_front(5), schedule);
}

} // namespace kiln
