//===- WeightPacking.h - Weights in the layout kernels read -----*- C++ -*-===//
//
// A linear layer's weight is stored [out, in], so the output columns that
// a kernel computes side by side in one vector are `in` elements apart in
// memory. Kernels therefore read weights packed once, at load time, into
// panels of `panelWidth` rows, padded with zero rows to whole panels, in
// one of the layouts of kiln_packed_format (kiln/model_abi.h): f32 panels
// stored column by column, so that the `panelWidth` values a kernel needs
// for one input feature are contiguous, or the bf16 pieces that AMX
// kernels read (AmxLayout.h).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_WEIGHTPACKING_H
#define KILN_RUNTIME_SRC_WEIGHTPACKING_H

#include "kiln/model_abi.h"

#include <array>
#include <cstdint>

namespace kiln::runtime {

/// The number of panels of a weight with `rows` rows.
inline int64_t getNumPanels(int64_t rows, int64_t panelWidth) {
  return (rows + panelWidth - 1) / panelWidth;
}

/// One dimension of a packed weight buffer, in elements.
struct PackedDim {
  int64_t extent;
  int64_t stride;
};

/// The three dimensions, innermost first, of the dense buffer that kernels
/// read the packed form of a [rows, cols] weight as:
/// - f32 panels: (row in panel, column, panel), of f32;
/// - bf16x3 tiles: (pair of one step of one group's three tiles, group and
///   step, panel), of uint32 that each hold the bf16 bits of two adjacent
///   columns, the even one in the low half: a tile is 256 of them, 16
///   column pairs by 16 rows.
std::array<PackedDim, 3> getPackedWeightDims(int64_t rows, int64_t cols,
                                             int64_t panelWidth,
                                             kiln_packed_format format);

/// The bytes of the packed form of a [rows, cols] weight.
int64_t getPackedWeightBytes(int64_t rows, int64_t cols, int64_t panelWidth,
                             kiln_packed_format format);

/// Packs the row-major f32 [rows, cols] `weight` into `packed`, which holds
/// getPackedWeightBytes() bytes.
void packWeight(const float *weight, int64_t rows, int64_t cols,
                int64_t panelWidth, kiln_packed_format format, void *packed);

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_WEIGHTPACKING_H
