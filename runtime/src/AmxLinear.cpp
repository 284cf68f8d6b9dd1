//===- AmxLinear.cpp - Linear layers on AMX tiles at f32 accuracy ---------===//
//
// The AMX tile unit multiplies bf16 matrices into f32 accumulators, more
// than ten times as fast per core as f32 FMAs on AVX-512 (measured on a
// Sapphire Rapids core: 3.1 TFLOP/s of bf16 products against 231 GFLOP/s
// of f32 FMAs). With both operands split into three bf16 pieces each
// (AmxLayout.h), six bf16 products give f32 accuracy (AmxTiles.h).
//
// The kernels split the input once per call (in Halide, see
// codegen/cpu/generators/Linear.cpp) and the weight once, at load time
// (WeightPacking.h). Each call computes a block of rows of one or more
// weight panels in register blocks of 2 x 2 tiles, 32 rows by 32 output
// features, accumulated over chunks of the contraction whose operands stay
// in L2. The hardware prefetchers follow the tile-major streams: software
// prefetches of the next panel, tried, made BERT-base 25% slower.
//
//===----------------------------------------------------------------------===//

#include "kiln/model_abi.h"
#include "runtime/src/AmxTiles.h"

#include <algorithm>
#include <cstring>
#include <vector>

using namespace kiln::runtime::amx;

namespace {

/// Contraction steps per chunk: a 32-row block's input chunk (144 KiB) and
/// a panel's weight chunk stay in L2 while every block of the panel reads
/// them.
constexpr int64_t kChunkSteps = 24;

/// One panel's output rows for one batch index.
struct PanelTask {
  /// The input's tiles at the rows' first group, groups
  /// `inputGroupStride` elements apart.
  const uint16_t *input;
  int64_t inputGroupStride;
  /// The panel's weight tiles.
  const uint16_t *weight;
  /// Output features (a multiple of 32) and contraction steps.
  int64_t width;
  int64_t steps;
  /// The output at the first row, rows `outRowStride` floats apart.
  float *out;
  int64_t outRowStride;
  int64_t rows;
};

/// Computes `task` chunk by chunk; the last rows, short of a block, go
/// through a scratch block of which only they are copied out.
void computePanel(const PanelTask &task) {
  int64_t weightGroupStride = getTileOffset(1, 0, 0, task.steps);
  alignas(64) float partial[kBlockRows * kBlockCols];
  for (int64_t first = 0; first < task.steps; first += kChunkSteps) {
    BlockChunk chunk;
    chunk.firstGroupStride = task.inputGroupStride;
    chunk.secondGroupStride = weightGroupStride;
    chunk.steps = std::min(kChunkSteps, task.steps - first);
    chunk.isFirst = first == 0;
    int64_t chunkOffset = first * kPieces * kTileElements;
    for (int64_t row = 0; row < task.rows; row += kBlockRows) {
      chunk.first =
          task.input + row / kTileRows * task.inputGroupStride + chunkOffset;
      bool isFull = row + kBlockRows <= task.rows;
      for (int64_t col = 0; col < task.width; col += kBlockCols) {
        chunk.second =
            task.weight + col / kTileRows * weightGroupStride + chunkOffset;
        float *out = task.out + row * task.outRowStride + col;
        if (isFull) {
          accumulateBlock<false>(chunk, out, task.outRowStride * sizeof(float));
          continue;
        }
        int64_t rowsLeft = task.rows - row;
        if (!chunk.isFirst)
          for (int64_t r = 0; r < rowsLeft; ++r)
            std::memcpy(partial + r * kBlockCols, out + r * task.outRowStride,
                        kBlockCols * sizeof(float));
        if (rowsLeft <= kTileRows)
          accumulateBlock<true>(chunk, partial, kBlockCols * sizeof(float));
        else
          accumulateBlock<false>(chunk, partial, kBlockCols * sizeof(float));
        for (int64_t r = 0; r < rowsLeft; ++r)
          std::memcpy(out + r * task.outRowStride, partial + r * kBlockCols,
                      kBlockCols * sizeof(float));
      }
    }
  }
}

/// Dimensions of the input pieces: (feature in step, row in group, piece,
/// step, row group, batch...), the output's batch dimensions last.
enum PiecesDim { kFeatureInStep, kRowInGroup, kPiece, kStep, kRowGroup };

/// Answers Halide's bounds query: the stage reads, for output rows
/// [r, r + n), the input pieces of row groups [r / 16, (r + n rounded up
/// to 32) / 16), every step and every piece, and the weight tiles of the
/// output's panels.
void setRequiredRegions(halide_buffer_t *pieces, halide_buffer_t *weight,
                        int32_t depth, const halide_buffer_t *out) {
  if (isBoundsQuery(pieces)) {
    int32_t rows = out->dim[1].extent;
    pieces->dim[kFeatureInStep] = {0, int32_t(kTileDepth), 0, 0};
    pieces->dim[kRowInGroup] = {0, int32_t(kTileRows), 0, 0};
    pieces->dim[kPiece] = {0, int32_t(kPieces), 0, 0};
    pieces->dim[kStep] = {0, int32_t(getSteps(depth)), 0, 0};
    pieces->dim[kRowGroup] = {int32_t(out->dim[1].min / kTileRows),
                              int32_t((rows + kBlockRows - 1) / kBlockRows * 2),
                              0, 0};
    for (int d = kRowGroup + 1; d < pieces->dimensions; ++d)
      pieces->dim[d] = out->dim[d - 2];
  }
  if (isBoundsQuery(weight)) {
    int32_t panelBlocks =
        int32_t(out->dim[0].extent / kTileRows * getSteps(depth));
    weight->dim[0] = {0, int32_t(kPieces * kTileElements / 2), 0, 0};
    weight->dim[1] = {0, panelBlocks, 0, 0};
    weight->dim[2] = out->dim[2];
  }
}

} // namespace

int32_t kiln_amx_linear(halide_buffer_t *pieces, halide_buffer_t *weight,
                        int32_t depth, halide_buffer_t *out) {
  if (isBoundsQuery(pieces) || isBoundsQuery(weight)) {
    setRequiredRegions(pieces, weight, depth, out);
    return 0;
  }
  PanelTask task;
  task.width = out->dim[0].extent;
  task.rows = out->dim[1].extent;
  task.steps = getSteps(depth);
  task.outRowStride = out->dim[1].stride;
  task.inputGroupStride = pieces->dim[kRowGroup].stride;
  if (task.width % kBlockCols != 0 || out->dim[0].min != 0 ||
      out->dim[1].min % kBlockRows != 0) {
    kiln_kernel_error(nullptr, "the AMX linear kernel computes blocks of 32 "
                               "rows and panels of whole 32 features");
    return -1;
  }
  if (!isAmxUsable()) {
    kiln_kernel_error(nullptr, "this kernel needs AMX tiles with bf16, which "
                               "this CPU or OS does not provide");
    return -1;
  }
  const auto *piecesData =
      static_cast<const uint16_t *>(static_cast<const void *>(pieces->host));
  // The weight's elements are pairs of bf16 (WeightPacking.h).
  const auto *weightData =
      static_cast<const uint16_t *>(static_cast<const void *>(weight->host));
  int64_t panelStride = weight->dim[2].stride * 2;
  // Batch indices beyond the output's dimension 2, as an odometer.
  int batchDims = out->dimensions - 3;
  std::vector<int32_t> batch(batchDims, 0);
  loadTileConfig();
  for (int64_t panel = 0; panel < out->dim[2].extent; ++panel) {
    int64_t weightPanel = out->dim[2].min + panel - weight->dim[2].min;
    task.weight = weightData + weightPanel * panelStride;
    std::fill(batch.begin(), batch.end(), 0);
    while (true) {
      task.input = piecesData +
                   (out->dim[1].min / kTileRows - pieces->dim[kRowGroup].min) *
                       task.inputGroupStride;
      task.out = static_cast<float *>(static_cast<void *>(out->host)) +
                 panel * out->dim[2].stride;
      for (int d = 0; d < batchDims; ++d) {
        const halide_dimension_t &piecesDim = pieces->dim[kRowGroup + 1 + d];
        task.input +=
            (out->dim[3 + d].min + batch[d] - piecesDim.min) * piecesDim.stride;
        task.out += batch[d] * out->dim[3 + d].stride;
      }
      computePanel(task);
      int d = 0;
      while (d < batchDims && ++batch[d] == out->dim[3 + d].extent)
        batch[d++] = 0;
      if (d == batchDims)
        break;
    }
  }
  releaseTiles();
  return 0;
}
