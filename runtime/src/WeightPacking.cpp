//===- WeightPacking.cpp - Weights in the layout kernels read -------------===//
//
// Packs a weight panel by panel. f32 panels read a block of rows row by
// row and write it transposed so that both sides stay in cache; bf16x3
// tiles are filled tile by tile.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/WeightPacking.h"

#include "runtime/src/AmxLayout.h"

#include <algorithm>

namespace kiln::runtime {

namespace {

void packF32Panels(const float *weight, int64_t rows, int64_t cols,
                   int64_t panelWidth, float *packed) {
  // Columns per block: a block of the panel (panelWidth x kColumnBlock
  // floats) stays in L1 while it is filled row by row.
  constexpr int64_t kColumnBlock = 64;
  for (int64_t panel = 0, e = getNumPanels(rows, panelWidth); panel < e;
       ++panel) {
    float *panelData = packed + panel * panelWidth * cols;
    int64_t firstRow = panel * panelWidth;
    int64_t panelRows = std::min(panelWidth, rows - firstRow);
    for (int64_t block = 0; block < cols; block += kColumnBlock) {
      int64_t blockEnd = std::min(cols, block + kColumnBlock);
      for (int64_t t = 0; t < panelRows; ++t) {
        const float *row = weight + (firstRow + t) * cols;
        for (int64_t c = block; c < blockEnd; ++c)
          panelData[c * panelWidth + t] = row[c];
      }
      for (int64_t t = panelRows; t < panelWidth; ++t)
        for (int64_t c = block; c < blockEnd; ++c)
          panelData[c * panelWidth + t] = 0.0f;
    }
  }
}

void packBf16x3Tiles(const float *weight, int64_t rows, int64_t cols,
                     uint16_t *packed) {
  using namespace amx;
  int64_t steps = getSteps(cols);
  // Groups of 16 rows across all panels: panel_width is a multiple of 16,
  // so group g of panel p is group p * panel_width / 16 + g overall.
  for (int64_t group = 0, e = (rows + kTileRows - 1) / kTileRows; group < e;
       ++group) {
    for (int64_t step = 0; step < steps; ++step) {
      uint16_t *tiles = packed + getTileOffset(group, step, 0, steps);
      for (int64_t pair = 0; pair < kTileDepth / 2; ++pair) {
        for (int64_t t = 0; t < kTileRows; ++t) {
          int64_t row = group * kTileRows + t;
          for (int64_t half = 0; half < 2; ++half) {
            int64_t col = step * kTileDepth + 2 * pair + half;
            float value =
                row < rows && col < cols ? weight[row * cols + col] : 0.0f;
            uint16_t pieces[kPieces];
            splitIntoPieces(value, pieces);
            for (int64_t piece = 0; piece < kPieces; ++piece)
              tiles[piece * kTileElements + (pair * kTileRows + t) * 2 + half] =
                  pieces[piece];
          }
        }
      }
    }
  }
}

} // namespace

std::array<PackedDim, 3> getPackedWeightDims(int64_t rows, int64_t cols,
                                             int64_t panelWidth,
                                             kiln_packed_format format) {
  int64_t panels = getNumPanels(rows, panelWidth);
  if (format == KILN_PACKED_BF16X3_TILES) {
    using namespace amx;
    int64_t stepPairs = kPieces * kTileElements / 2;
    int64_t blocks = panelWidth / kTileRows * getSteps(cols);
    return {PackedDim{stepPairs, 1}, PackedDim{blocks, stepPairs},
            PackedDim{panels, blocks * stepPairs}};
  }
  return {PackedDim{panelWidth, 1}, PackedDim{cols, panelWidth},
          PackedDim{panels, panelWidth * cols}};
}

int64_t getPackedWeightBytes(int64_t rows, int64_t cols, int64_t panelWidth,
                             kiln_packed_format format) {
  std::array<PackedDim, 3> dims =
      getPackedWeightDims(rows, cols, panelWidth, format);
  static_assert(sizeof(float) == 2 * sizeof(uint16_t),
                "both layouts have 4-byte elements");
  return dims[2].extent * dims[2].stride * int64_t(sizeof(float));
}

void packWeight(const float *weight, int64_t rows, int64_t cols,
                int64_t panelWidth, kiln_packed_format format, void *packed) {
  if (format == KILN_PACKED_BF16X3_TILES) {
    // Rows past the last panel's weight rows are zero tiles.
    std::fill_n(static_cast<uint16_t *>(packed),
                getPackedWeightBytes(rows, cols, panelWidth, format) /
                    sizeof(uint16_t),
                uint16_t(0));
    packBf16x3Tiles(weight, rows, cols, static_cast<uint16_t *>(packed));
    return;
  }
  packF32Panels(weight, rows, cols, panelWidth, static_cast<float *>(packed));
}

} // namespace kiln::runtime
