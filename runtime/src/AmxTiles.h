//===- AmxTiles.h - Products of split operands on AMX tiles -----*- C++ -*-===//
//
// What the AMX kernels of the runtime share: whether the machine lets this
// process use the tiles, the tile configuration, and the register block of
// 2 x 2 accumulator tiles that sums the six products of two operands split
// into bf16 pieces (AmxLayout.h),
//
//   a * b = a_hi b_hi + a_hi b_mid + a_mid b_hi
//         + a_hi b_lo + a_mid b_mid + a_lo b_hi + O(2^-24 |a b|),
//
// each product exact in the f32 accumulator, so that the block is as
// accurate as f32 FMAs: the terms left out are below 2^-24 relative.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_AMXTILES_H
#define KILN_RUNTIME_SRC_AMXTILES_H

#include "runtime/src/AmxLayout.h"

#include <HalideRuntime.h>

#include <cstring>
#include <immintrin.h>

namespace kiln::runtime::amx {

/// Rows and columns of one register block of 2 x 2 tiles.
constexpr int64_t kBlockRows = 2 * kTileRows;
constexpr int64_t kBlockCols = 2 * kTileRows;

/// Whether `buffer` only asks for the region an extern stage reads.
inline bool isBoundsQuery(const halide_buffer_t *buffer) {
  return buffer->host == nullptr && buffer->device == 0;
}

/// One 32 x 32 block's share of the contraction: `steps` steps of both
/// operands, tile-major (AmxLayout.h).
struct BlockChunk {
  /// The first tile of the chunk in the streams of the block's two row
  /// groups of the first operand, the second `firstGroupStride` elements
  /// after the first; likewise for the two column groups of the second.
  const uint16_t *first;
  int64_t firstGroupStride;
  const uint16_t *second;
  int64_t secondGroupStride;
  int64_t steps;
  /// Whether the accumulators start from 0 rather than from `out`.
  bool isFirst;
};

/// The six products (first piece, second piece) of a block, grouped by
/// first piece.
constexpr int kProducts[][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {2, 0}};

#ifndef KILN_AMX_EMULATION

/// Whether this CPU has AMX with bf16 and the OS lets this process use its
/// tile state; asked once.
bool isAmxUsable();

/// Configures the tiles as accumulateBlock uses them: tiles 0-3 hold the
/// f32 accumulators, 4-5 the first operand, 6-7 the second; all 16 rows
/// of 64 bytes.
void loadTileConfig();

/// Gives the tile state back, after the last accumulateBlock of a call.
void releaseTiles();

/// Accumulates a chunk into a 32 x 32 block of f32 in tiles 0-3 (rows 0-15
/// and 16-31 by columns 0-15 and 16-31), loading and storing it at `out`
/// with a row stride of `outRowBytes`. With `kIsHalf`, only the block's
/// first 16 rows, in tiles 0-1: a tile product costs the same whatever its
/// rows, so short operands take half the products.
template <bool kIsHalf>
__attribute__((target("amx-tile,amx-bf16"))) inline void
accumulateBlock(const BlockChunk &chunk, float *out, int64_t outRowBytes) {
  constexpr int64_t tileRowBytes = 64;
  char *bytes = reinterpret_cast<char *>(out);
  char *secondRows = bytes + kTileRows * outRowBytes;
  constexpr int64_t secondCols = kTileRows * sizeof(float);
  if (chunk.isFirst) {
    _tile_zero(0);
    _tile_zero(1);
    if constexpr (!kIsHalf) {
      _tile_zero(2);
      _tile_zero(3);
    }
  } else {
    _tile_loadd(0, bytes, outRowBytes);
    _tile_loadd(1, bytes + secondCols, outRowBytes);
    if constexpr (!kIsHalf) {
      _tile_loadd(2, secondRows, outRowBytes);
      _tile_loadd(3, secondRows + secondCols, outRowBytes);
    }
  }
  for (int64_t step = 0; step < chunk.steps; ++step) {
    const uint16_t *first = chunk.first + step * kPieces * kTileElements;
    const uint16_t *second = chunk.second + step * kPieces * kTileElements;
    int loadedFirstPiece = -1;
    for (const auto &[firstPiece, secondPiece] : kProducts) {
      if (firstPiece != loadedFirstPiece) {
        const uint16_t *rows = first + firstPiece * kTileElements;
        _tile_loadd(4, rows, tileRowBytes);
        if constexpr (!kIsHalf)
          _tile_loadd(5, rows + chunk.firstGroupStride, tileRowBytes);
        loadedFirstPiece = firstPiece;
      }
      const uint16_t *cols = second + secondPiece * kTileElements;
      _tile_loadd(6, cols, tileRowBytes);
      _tile_loadd(7, cols + chunk.secondGroupStride, tileRowBytes);
      _tile_dpbf16ps(0, 4, 6);
      _tile_dpbf16ps(1, 4, 7);
      if constexpr (!kIsHalf) {
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
      }
    }
  }
  _tile_stored(0, bytes, outRowBytes);
  _tile_stored(1, bytes + secondCols, outRowBytes);
  if constexpr (!kIsHalf) {
    _tile_stored(2, secondRows, outRowBytes);
    _tile_stored(3, secondRows + secondCols, outRowBytes);
  }
}

#else // KILN_AMX_EMULATION

// A scalar emulation of the tile unit, with which tests build the kernels
// on machines without AMX (unittests/Codegen/CMakeLists.txt): the same
// products of the same pieces in f32, without the tile registers. Its own
// namespace keeps it apart from the real functions.
inline namespace emulation {

inline bool isAmxUsable() { return true; }
inline void loadTileConfig() {}
inline void releaseTiles() {}

/// The f32 value of the bf16 `bits`.
inline float getBf16Value(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

/// What the tile unit's accumulateBlock computes.
template <bool kIsHalf>
void accumulateBlock(const BlockChunk &chunk, float *out, int64_t outRowBytes) {
  int64_t rows = kIsHalf ? kTileRows : kBlockRows;
  auto outAt = [&](int64_t row, int64_t col) -> float & {
    return *reinterpret_cast<float *>(reinterpret_cast<char *>(out) +
                                      row * outRowBytes +
                                      col * int64_t(sizeof(float)));
  };
  if (chunk.isFirst)
    for (int64_t row = 0; row < rows; ++row)
      for (int64_t col = 0; col < kBlockCols; ++col)
        outAt(row, col) = 0.0f;
  for (int64_t step = 0; step < chunk.steps; ++step)
    for (const auto &[firstPiece, secondPiece] : kProducts)
      for (int64_t row = 0; row < rows; ++row)
        for (int64_t col = 0; col < kBlockCols; ++col) {
          // Row `row % 16` of the first operand's tile; column `col % 16`
          // of the second's, whose tile rows hold pairs of features.
          const uint16_t *first =
              chunk.first + row / kTileRows * chunk.firstGroupStride +
              (step * kPieces + firstPiece) * kTileElements +
              row % kTileRows * kTileDepth;
          const uint16_t *second =
              chunk.second + col / kTileRows * chunk.secondGroupStride +
              (step * kPieces + secondPiece) * kTileElements +
              col % kTileRows * 2;
          float sum = outAt(row, col);
          for (int64_t feature = 0; feature < kTileDepth; ++feature)
            sum += getBf16Value(first[feature]) *
                   getBf16Value(second[feature / 2 * kTileDepth + feature % 2]);
          outAt(row, col) = sum;
        }
}

} // namespace emulation

#endif // KILN_AMX_EMULATION

} // namespace kiln::runtime::amx

#endif // KILN_RUNTIME_SRC_AMXTILES_H
