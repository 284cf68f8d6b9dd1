//===- AmxOperands.h - Operands of AMX tile products in Halide --*- C++ -*-===//
//
// The runtime's AMX kernels (runtime/src/AmxTiles.h) multiply f32 operands
// at f32 accuracy from their bf16 pieces: each value x split exactly into
// x = hi + mid + lo, each piece the truncation of what the ones before it
// leave. These helpers define the Halide stages that lay an operand's
// pieces out tile-major, as the kernels read them (runtime/src/AmxLayout.h):
// tile (piece, group of 16 rows, step of 32 features of the contraction)
// holds 16 tile rows of 64 bytes, and a group's tiles follow each other
// step by step, the three pieces of a step together.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_GENERATORS_AMXOPERANDS_H
#define KILN_CODEGEN_CPU_GENERATORS_AMXOPERANDS_H

#include "codegen/Schedule.h"

#include "llvm/ADT/ArrayRef.h"

#include <Halide.h>
#include <functional>
#include <string>
#include <utility>

namespace kiln {

/// Rows of one AMX tile, and of the 2 x 2 tile blocks the kernels compute.
constexpr int kAmxTileRows = 16;
constexpr int kAmxBlockRows = 32;
/// bf16 features of the contraction in one tile row.
constexpr int kAmxTileDepth = 32;
/// The pieces of a split value: hi, mid, lo.
constexpr int kAmxPieces = 3;

/// An operand's value at (row, feature of the contraction), with the
/// remaining dimensions of the pieces (heads, batch, ...) as `outer`.
using AmxValueFn = std::function<Halide::Expr(
    const Halide::Expr &row, const Halide::Expr &feature,
    llvm::ArrayRef<Halide::Var> outer)>;

/// The stages of an operand's pieces.
struct AmxOperand {
  /// The tiles, which the kernel reads.
  Halide::Func tiles;
  /// For pair tiles, the pairs before their transposition; undefined for
  /// row tiles.
  Halide::Func pairs;
};

/// The first operand of a tile product, row-major tiles:
/// `tiles(f, r, piece, step, group, outer...)` holds the bf16 bits (u16) of
/// piece `piece` of `valueAt(group * 16 + r, step * 32 + f, outer)`.
AmxOperand splitIntoRowTiles(const std::string &name, const AmxValueFn &valueAt,
                             unsigned outerDims);

/// An operand whose tiles hold pairs of consecutive features, each pair one
/// u32 (the first feature in the low half): `tiles(n, a, piece, step, group,
/// outer...)` holds the pair whose first feature is
/// `pairAt(a, n, step, group, outer).first` and second `.second`. Tile row
/// `a` gathers pairs from 16 rows `n` of the source, which the stage reads
/// with `a` in the vector lanes and transposes.
/// - As a first operand, a is the row in the group and n the pair of
///   features in the step.
/// - As a second operand, a is the pair of features in the step and n the
///   column in the group.
using AmxPairFn = std::function<std::pair<Halide::Expr, Halide::Expr>(
    const Halide::Var &a, const Halide::Var &n, const Halide::Var &step,
    const Halide::Var &group, llvm::ArrayRef<Halide::Var> outer)>;
AmxOperand splitIntoPairTiles(const std::string &name, const AmxPairFn &pairAt,
                              unsigned outerDims);

/// Computes an operand's pieces once per call: groups (fused with the outer
/// dimensions) in parallel tasks when `parallel` is set, the three pieces
/// of a tile row together.
void scheduleAmxOperand(const AmxOperand &operand, const Schedule &schedule);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_GENERATORS_AMXOPERANDS_H
