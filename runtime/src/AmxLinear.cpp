//===- AmxLinear.cpp - Linear layers on AMX tiles at f32 accuracy ---------===//
//
// The AMX tile unit multiplies bf16 matrices into f32 accumulators, more
// than ten times as fast per core as f32 FMAs on AVX-512 (measured on a
// Sapphire Rapids core: 3.1 TFLOP/s of bf16 products against 231 GFLOP/s
// of f32 FMAs). With both operands split into three bf16 pieces each
// (AmxLayout.h),
//
//   a * b = a_hi b_hi + a_hi b_mid + a_mid b_hi
//         + a_hi b_lo + a_mid b_mid + a_lo b_hi + O(2^-24 |a b|),
//
// so six bf16 products, each exact in the f32 accumulator, give the
// product to the rounding error of one f32 operation: the terms left out
// are below 2^-24 relative.
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
#include "runtime/src/AmxLayout.h"

#include <HalideRuntime.h>

#include <algorithm>
#include <cpuid.h>
#include <cstring>
#include <immintrin.h>
#include <vector>

#ifdef __linux__
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace kiln::runtime::amx;

namespace {

/// Output rows and features of one register block of 2 x 2 tiles.
constexpr int64_t kBlockRows = 2 * kTileRows;
constexpr int64_t kBlockCols = 2 * kTileRows;
/// Contraction steps per chunk: a 32-row block's input chunk (144 KiB) and
/// a panel's weight chunk stay in L2 while every block of the panel reads
/// them.
constexpr int64_t kChunkSteps = 24;
/// The six products (input piece, weight piece), grouped by input piece.
constexpr int kProducts[][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {2, 0}};

/// Whether this CPU has AMX with bf16 and the OS lets this process use
/// its tile state; asked once.
bool isAmxUsable() {
  static const bool usable = [] {
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
      return false;
    bool hasAmxBf16 = edx & (1u << 22), hasAmxTile = edx & (1u << 24);
    if (!hasAmxBf16 || !hasAmxTile)
      return false;
#ifdef __linux__
    // Linux hands out the 8 KiB tile state only on request.
    constexpr int archReqXcompPerm = 0x1023, xfeatureXtiledata = 18;
    return syscall(SYS_arch_prctl, archReqXcompPerm, xfeatureXtiledata) == 0;
#else
    return false;
#endif
  }();
  return usable;
}

/// The tile configuration (palette 1) of the kernels: tiles 0-3 hold the
/// f32 accumulators, 4-5 the input, 6-7 the weights; all 16 rows of 64
/// bytes.
struct alignas(64) TileConfig {
  uint8_t palette = 1;
  uint8_t startRow = 0;
  uint8_t reserved[14] = {};
  uint16_t bytesPerRow[16] = {};
  uint8_t rows[16] = {};

  TileConfig() {
    for (int tile = 0; tile < 8; ++tile) {
      bytesPerRow[tile] = 64;
      rows[tile] = kTileRows;
    }
  }
};

__attribute__((target("amx-tile"))) void loadTileConfig() {
  static const TileConfig config;
  _tile_loadconfig(&config);
}

__attribute__((target("amx-tile"))) void releaseTiles() { _tile_release(); }

/// One 32 x 32 block's share of a chunk of the contraction.
struct BlockChunk {
  /// The first tile of the chunk in the streams of the block's two row
  /// groups of the input, the second `inputGroupStride` elements after
  /// the first; likewise for the two feature groups of the weight.
  const uint16_t *input;
  int64_t inputGroupStride;
  const uint16_t *weight;
  int64_t weightGroupStride;
  int64_t steps;
  /// Whether the accumulators start from 0 rather than from `out`.
  bool isFirst;
};

/// Accumulates a chunk into a 32 x 32 block of the output in tiles 0-3
/// (rows 0-15 and 16-31 by features 0-15 and 16-31), loading and storing
/// it at `out` with a row stride of `outRowBytes`. With `kIsHalf`, only
/// the block's first 16 rows, in tiles 0-1: a tile product costs the same
/// whatever its rows, so short inputs take half the products.
template <bool kIsHalf>
__attribute__((target("amx-tile,amx-bf16"))) void
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
    const uint16_t *input = chunk.input + step * kPieces * kTileElements;
    const uint16_t *weight = chunk.weight + step * kPieces * kTileElements;
    int loadedInputPiece = -1;
    for (const auto &[inputPiece, weightPiece] : kProducts) {
      if (inputPiece != loadedInputPiece) {
        const uint16_t *rows = input + inputPiece * kTileElements;
        _tile_loadd(4, rows, tileRowBytes);
        if constexpr (!kIsHalf)
          _tile_loadd(5, rows + chunk.inputGroupStride, tileRowBytes);
        loadedInputPiece = inputPiece;
      }
      const uint16_t *cols = weight + weightPiece * kTileElements;
      _tile_loadd(6, cols, tileRowBytes);
      _tile_loadd(7, cols + chunk.weightGroupStride, tileRowBytes);
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
    chunk.inputGroupStride = task.inputGroupStride;
    chunk.weightGroupStride = weightGroupStride;
    chunk.steps = std::min(kChunkSteps, task.steps - first);
    chunk.isFirst = first == 0;
    int64_t chunkOffset = first * kPieces * kTileElements;
    for (int64_t row = 0; row < task.rows; row += kBlockRows) {
      chunk.input =
          task.input + row / kTileRows * task.inputGroupStride + chunkOffset;
      bool isFull = row + kBlockRows <= task.rows;
      for (int64_t col = 0; col < task.width; col += kBlockCols) {
        chunk.weight =
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

/// Whether `buffer` only asks for the region an extern stage reads.
bool isBoundsQuery(const halide_buffer_t *buffer) {
  return buffer->host == nullptr && buffer->device == 0;
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
