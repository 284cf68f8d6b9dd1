//===- AmxLayout.h - Operands as AMX kernels read them ----------*- C++ -*-===//
//
// AMX multiplies tiles of bf16 into f32 accumulators. The runtime's
// kernels reach f32 accuracy on it by splitting every f32 value x exactly
// into three bf16 pieces, x = hi + mid + lo, each the truncation of what
// the ones before it leave (8 significant bits each), and summing six
// products of pieces (AmxTiles.h).
//
// Both operands of a product are stored tile-major: tile (piece p, group g
// of 16 rows of the operand, step s of 32 features of the contraction) is
// the 1 KiB at element ((g * steps + s) * 3 + p) * 512, so that a group's
// tiles form one contiguous stream along the contraction. Within a tile:
// - the first operand's tile holds 16 rows of 32 features, row-major (a
//   linear layer's input);
// - the second operand's tile holds 16 pairs of features by 16 columns,
//   each column's pair adjacent ([pair][column][2]), which is the layout
//   of AMX's second operand (a linear layer's weight, whose columns are
//   output features).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_AMXLAYOUT_H
#define KILN_RUNTIME_SRC_AMXLAYOUT_H

#include <cstdint>
#include <cstring>

namespace kiln::runtime::amx {

/// Rows and bf16 features of one tile (16 rows of 64 bytes).
constexpr int64_t kTileRows = 16;
constexpr int64_t kTileDepth = 32;
constexpr int64_t kTileElements = kTileRows * kTileDepth;
/// The pieces of a split f32 value: hi, mid, lo.
constexpr int64_t kPieces = 3;

/// The contraction steps of `depth` features, the last padded with zeros.
inline int64_t getSteps(int64_t depth) {
  return (depth + kTileDepth - 1) / kTileDepth;
}

/// The element offset of tile (group, step, piece) in an operand of
/// `steps` steps.
inline int64_t getTileOffset(int64_t group, int64_t step, int64_t piece,
                             int64_t steps) {
  return ((group * steps + step) * kPieces + piece) * kTileElements;
}

/// The bf16 bits of the three pieces of `value`.
inline void splitIntoPieces(float value, uint16_t pieces[kPieces]) {
  for (int64_t piece = 0; piece < kPieces; ++piece) {
    uint32_t bits;
    std::memcpy(&bits, &value, sizeof(bits));
    pieces[piece] = static_cast<uint16_t>(bits >> 16);
    // What the piece leaves, exactly: the next piece's value.
    uint32_t truncatedBits = bits & 0xffff0000u;
    float truncated;
    std::memcpy(&truncated, &truncatedBits, sizeof(truncated));
    value -= truncated;
  }
}

} // namespace kiln::runtime::amx

#endif // KILN_RUNTIME_SRC_AMXLAYOUT_H
