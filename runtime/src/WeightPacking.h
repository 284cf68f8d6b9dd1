//===- WeightPacking.h - Weights in the layout kernels read -----*- C++ -*-===//
//
// A linear layer's weight is stored [out, in], so the output columns that
// a kernel computes side by side in one vector are `in` elements apart in
// memory. Kernels therefore read weights packed once, at load time, into
// panels: the weight's rows grouped by `panelWidth`, each panel stored
// column by column, so that the `panelWidth` values a kernel needs for one
// input feature are contiguous. Rows past the last are padded with 0 so
// that every panel is full.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_WEIGHTPACKING_H
#define KILN_RUNTIME_SRC_WEIGHTPACKING_H

#include <cstdint>

namespace kiln::runtime {

/// The number of panels of a weight with `rows` rows.
inline int64_t getNumPanels(int64_t rows, int64_t panelWidth) {
  return (rows + panelWidth - 1) / panelWidth;
}

/// The number of floats of the packed form of a [rows, cols] weight.
inline int64_t getPackedWeightSize(int64_t rows, int64_t cols,
                                   int64_t panelWidth) {
  return getNumPanels(rows, panelWidth) * panelWidth * cols;
}

/// Packs the row-major [rows, cols] `weight` into `packed`, which holds
/// getPackedWeightSize() floats: element [p][c][t] (row-major) is
/// weight[p * panelWidth + t][c], or 0 when that row is past the last.
void packWeightPanels(const float *weight, int64_t rows, int64_t cols,
                      int64_t panelWidth, float *packed);

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_WEIGHTPACKING_H
