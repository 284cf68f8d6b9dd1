//===- WeightPacking.cpp - Weights in the layout kernels read -------------===//
//
// Packs a weight panel by panel; within a panel, a block of rows is read
// row by row and written transposed so that both sides stay in cache.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/WeightPacking.h"

#include <algorithm>

namespace kiln::runtime {

void packWeightPanels(const float *weight, int64_t rows, int64_t cols,
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

} // namespace kiln::runtime
