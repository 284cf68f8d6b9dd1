//===- AmxAttention.cpp - Fused attention on AMX tiles at f32 accuracy ----===//
//
// Flash-style attention whose two products run on the AMX tile unit, at
// f32 accuracy through operands split into bf16 pieces (AmxTiles.h). Each
// call computes blocks of 32 queries of one head and walks the keys in
// blocks of 32, keeping a running maximum, sum and accumulator per query
// (the online softmax), so that no [queries x keys] matrix is ever stored.
//
// Queries sit in the columns of every tile, so that the softmax statistics
// are element-wise maxima and sums of vectors of 16 queries, with no
// horizontal reduction:
// - the scores of a key block are S^T = K Q^T, keys by queries, from the
//   keys' pieces (first operand) and the queries' (second operand, scaled
//   by scale * log2(e), so that the exponentials are powers of two);
// - the probabilities P^T are split into pieces in the kernel, as the
//   second operand of the accumulator's update O^T += V^T P^T, whose first
//   operand holds the values' pieces feature by feature.
// The operands' pieces are laid out by the kernel's Halide stages (see
// codegen/cpu/generators/Attention.cpp), once per call.
//
// Key blocks that the causal or window mask hides from every query of the
// block are never visited; the mask is applied only to the blocks on its
// edges and at the end of the keys, the key padding to every block that
// holds a padded key. Masked scores become the lowest float, whose power
// of two is exactly 0, while the running maxima start at -1e30: a query
// that sees no key keeps a zero sum and yields zeros.
//
//===----------------------------------------------------------------------===//

#include "kiln/model_abi.h"
#include "runtime/src/AmxTiles.h"

#include <algorithm>
#include <cfloat>
#include <cstring>
#include <memory>
#include <new>

using namespace kiln::runtime::amx;

/// The vector instructions of the softmax between the tile products.
#define KILN_AVX512 __attribute__((target("avx512f,avx512bw,avx512vl")))

namespace {

/// Queries per block (the tiles' columns) and keys per block (their rows,
/// and one contraction step of the accumulator's update).
constexpr int64_t kQueryBlock = kBlockCols;
constexpr int64_t kKeyBlock = kBlockRows;
/// Queries per vector of the softmax.
constexpr int64_t kLanes = 16;
/// The starting running maximum: far above the masked scores (the lowest
/// float) and far below any real score.
constexpr float kMaximumFloor = -1e30f;

/// Dimensions of the operands' pieces: (element in tile row, tile row,
/// piece, step, group, head, batch).
enum PiecesDim { kInRow, kTileRow, kPiece, kStep, kGroup, kHead, kBatch };

/// 2^x for x <= 0: 2^n * 2^f with n = round(x) and f in [-0.5, 0.5], from
/// the minimax polynomial of codegen's exp2OfNonPositive (relative error
/// about 1e-7); exactly 0 for x <= -150, the lowest float included.
KILN_AVX512 inline __m512 exp2OfNonPositive(__m512 x) {
  x = _mm512_max_ps(x, _mm512_set1_ps(-200.0f));
  __m512 whole =
      _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 fraction = _mm512_sub_ps(x, whole);
  static const float coefficients[] = {1.53533503e-4f, 1.33988750e-3f,
                                       9.61843785e-3f, 5.55033237e-2f,
                                       2.40226477e-1f, 6.93147182e-1f};
  __m512 polynomial = _mm512_setzero_ps();
  for (float coefficient : coefficients)
    polynomial = _mm512_mul_ps(
        _mm512_add_ps(polynomial, _mm512_set1_ps(coefficient)), fraction);
  polynomial = _mm512_add_ps(polynomial, _mm512_set1_ps(1.0f));
  return _mm512_scalef_ps(polynomial, whole);
}

/// The positions of the queries and keys of one block that a structural
/// mask compares.
struct BlockMask {
  bool isCausal;
  /// The keys a query sees at most, 0 for no window.
  int64_t window;
  /// The position of the block's first query.
  int64_t firstPosition;
};

/// One block of 32 queries of one head.
struct QueryBlockTask {
  /// Tiles of the block's queries (second operand; two groups, the second
  /// `queryGroupStride` elements after the first), `headSteps` steps each.
  const uint16_t *queries;
  int64_t queryGroupStride;
  /// The head's key tiles (first operand) from the first key, groups of
  /// 16 keys `keyGroupStride` apart, `headSteps` steps each.
  const uint16_t *keys;
  int64_t keyGroupStride;
  int64_t headSteps;
  /// The head's value tiles (first operand, rows are features, steps are
  /// blocks of 32 keys), groups of 16 features `valueGroupStride` apart.
  const uint16_t *values;
  int64_t valueGroupStride;
  int64_t valueGroups;
  /// Per key, non-zero where the key padding keeps it; the last block's
  /// keys past `numKeys` are zero.
  const uint8_t *keyVisible;
  int64_t numKeys;
  BlockMask mask;
  /// The result at the block's first query: features innermost, queries
  /// `outQueryStride` floats apart; the first `outQueries` queries and
  /// `outFeatures` features are stored.
  float *out;
  int64_t outQueryStride;
  int64_t outQueries;
  int64_t outFeatures;
};

/// The running state of a query block's online softmax.
struct SoftmaxState {
  /// Scores then probabilities of the key block: keys by queries.
  alignas(64) float scores[kKeyBlock * kQueryBlock];
  /// The probabilities' pieces, the second operand of the update: two
  /// groups of 16 queries, three pieces each.
  alignas(64) uint16_t probabilityPieces[2 * kPieces * kTileElements];
  /// Per query: the running maximum and sum.
  alignas(64) float maximum[kQueryBlock];
  alignas(64) float sum[kQueryBlock];
  /// The accumulator, features by queries (one group of 16 features per
  /// 16 rows).
  float *accumulator;
};

/// Replaces the scores that the structural masks or the key padding hide
/// with the lowest float.
KILN_AVX512 void maskScores(float *scores, int64_t firstKey,
                            const QueryBlockTask &task) {
  const BlockMask &mask = task.mask;
  __m512i lanes =
      _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  __m512 lowest = _mm512_set1_ps(-FLT_MAX);
  for (int64_t half = 0; half < 2; ++half) {
    __m512i positions = _mm512_add_epi32(
        lanes, _mm512_set1_epi32(int32_t(mask.firstPosition + half * kLanes)));
    for (int64_t row = 0; row < kKeyBlock; ++row) {
      int64_t key = firstKey + row;
      float *scoresAt = scores + row * kQueryBlock + half * kLanes;
      if (!task.keyVisible[key]) {
        _mm512_store_ps(scoresAt, lowest);
        continue;
      }
      __mmask16 visible = 0xffff;
      __m512i keys = _mm512_set1_epi32(int32_t(key));
      if (mask.isCausal)
        visible &= _mm512_cmpge_epi32_mask(positions, keys);
      if (mask.window)
        visible &=
            _mm512_cmplt_epi32_mask(_mm512_sub_epi32(positions, keys),
                                    _mm512_set1_epi32(int32_t(mask.window)));
      _mm512_store_ps(scoresAt, _mm512_mask_blend_ps(visible, lowest,
                                                     _mm512_load_ps(scoresAt)));
    }
  }
}

/// The top 16 bits of each f32 lane of `low` and `high`, interleaved:
/// lane i holds those of low[i] in its low half, high[i] in its high half.
KILN_AVX512 inline __m512i interleaveTopHalves(__m512i low, __m512i high) {
  return _mm512_or_si512(
      _mm512_and_si512(high, _mm512_set1_epi32(int32_t(0xffff0000u))),
      _mm512_srli_epi32(low, 16));
}

/// What the top 16 bits of each lane of `x` leave, exactly.
KILN_AVX512 inline __m512 getRemainder(__m512 x) {
  __m512 truncated = _mm512_castsi512_ps(_mm512_and_si512(
      _mm512_castps_si512(x), _mm512_set1_epi32(int32_t(0xffff0000u))));
  return _mm512_sub_ps(x, truncated);
}

/// Turns the masked scores of a key block into probabilities relative to
/// the updated maxima, adds them to the sums, rescales the accumulator to
/// the new maxima and splits the probabilities into pieces.
KILN_AVX512 void absorbScores(SoftmaxState &state, int64_t accumulatorRows) {
  __m512 rescale[2];
  bool needsRescale = false;
  for (int64_t half = 0; half < 2; ++half) {
    float *scores = state.scores + half * kLanes;
    __m512 blockMax = _mm512_set1_ps(kMaximumFloor);
    for (int64_t row = 0; row < kKeyBlock; ++row)
      blockMax =
          _mm512_max_ps(blockMax, _mm512_load_ps(scores + row * kQueryBlock));
    __m512 oldMax = _mm512_load_ps(state.maximum + half * kLanes);
    __m512 newMax = _mm512_max_ps(oldMax, blockMax);
    rescale[half] = exp2OfNonPositive(_mm512_sub_ps(oldMax, newMax));
    needsRescale |= _mm512_cmpneq_ps_mask(newMax, oldMax) != 0;
    __m512 blockSum = _mm512_setzero_ps();
    for (int64_t row = 0; row < kKeyBlock; ++row) {
      float *at = scores + row * kQueryBlock;
      __m512 probability =
          exp2OfNonPositive(_mm512_sub_ps(_mm512_load_ps(at), newMax));
      _mm512_store_ps(at, probability);
      blockSum = _mm512_add_ps(blockSum, probability);
    }
    _mm512_store_ps(state.maximum + half * kLanes, newMax);
    __m512 oldSum = _mm512_load_ps(state.sum + half * kLanes);
    _mm512_store_ps(state.sum + half * kLanes,
                    _mm512_fmadd_ps(oldSum, rescale[half], blockSum));

    // Pieces: row `pair` of each tile holds keys 2 pair and 2 pair + 1 of
    // the 16 queries, adjacent.
    uint16_t *pieces = state.probabilityPieces + half * kPieces * kTileElements;
    for (int64_t pair = 0; pair < kTileRows; ++pair) {
      __m512 low = _mm512_load_ps(scores + 2 * pair * kQueryBlock);
      __m512 high = _mm512_load_ps(scores + (2 * pair + 1) * kQueryBlock);
      for (int64_t piece = 0; piece < kPieces; ++piece) {
        _mm512_store_si512(pieces + piece * kTileElements + pair * kTileDepth,
                           interleaveTopHalves(_mm512_castps_si512(low),
                                               _mm512_castps_si512(high)));
        low = getRemainder(low);
        high = getRemainder(high);
      }
    }
  }
  if (!needsRescale)
    return;
  for (int64_t row = 0; row < accumulatorRows; ++row) {
    float *at = state.accumulator + row * kQueryBlock;
    _mm512_store_ps(at, _mm512_mul_ps(_mm512_load_ps(at), rescale[0]));
    _mm512_store_ps(at + kLanes,
                    _mm512_mul_ps(_mm512_load_ps(at + kLanes), rescale[1]));
  }
}

/// Whether a key block starting at `firstKey` needs no structural mask for
/// any query of the block: every key exists, none is after the block's
/// first query (causal), none is out of its last query's window.
bool isInterior(int64_t firstKey, const QueryBlockTask &task) {
  const BlockMask &mask = task.mask;
  int64_t lastKey = firstKey + kKeyBlock - 1;
  if (lastKey >= task.numKeys)
    return false;
  if (mask.isCausal && lastKey > mask.firstPosition)
    return false;
  int64_t lastPosition = mask.firstPosition + kQueryBlock - 1;
  return !mask.window || lastPosition - firstKey < mask.window;
}

/// Whether every key of the block starting at `firstKey` is kept by the
/// key padding.
bool isUnpadded(int64_t firstKey, const QueryBlockTask &task) {
  const uint8_t *visible = task.keyVisible + firstKey;
  return std::all_of(visible, visible + kKeyBlock,
                     [](uint8_t keep) { return keep != 0; });
}

/// Stores the normalised accumulator, transposed to features innermost.
void storeResult(const SoftmaxState &state, const QueryBlockTask &task) {
  for (int64_t query = 0; query < task.outQueries; ++query) {
    float sum = state.sum[query];
    float inverse = sum > 0.0f ? 1.0f / sum : 0.0f;
    float *out = task.out + query * task.outQueryStride;
    for (int64_t feature = 0; feature < task.outFeatures; ++feature)
      out[feature] = state.accumulator[feature * kQueryBlock + query] * inverse;
  }
}

/// Computes one query block.
void computeQueryBlock(const QueryBlockTask &task, SoftmaxState &state) {
  const BlockMask &mask = task.mask;
  // The keys that some query of the block sees.
  int64_t lastPosition = mask.firstPosition + kQueryBlock - 1;
  int64_t beginKey =
      mask.window ? std::max<int64_t>(0, mask.firstPosition - mask.window + 1)
                  : 0;
  int64_t endKey =
      mask.isCausal ? std::min(task.numKeys, lastPosition + 1) : task.numKeys;
  int64_t accumulatorRows = task.valueGroups * kTileRows;
  std::fill(state.accumulator,
            state.accumulator + accumulatorRows * kQueryBlock, 0.0f);
  std::fill_n(state.maximum, kQueryBlock, kMaximumFloor);
  std::fill_n(state.sum, kQueryBlock, 0.0f);

  BlockChunk scores;
  scores.second = task.queries;
  scores.secondGroupStride = task.queryGroupStride;
  scores.firstGroupStride = task.keyGroupStride;
  scores.steps = task.headSteps;
  scores.isFirst = true;
  BlockChunk update;
  update.second = state.probabilityPieces;
  update.secondGroupStride = kPieces * kTileElements;
  update.firstGroupStride = task.valueGroupStride;
  update.steps = 1;
  update.isFirst = false;
  constexpr int64_t rowBytes = kQueryBlock * sizeof(float);
  for (int64_t block = beginKey / kKeyBlock; block * kKeyBlock < endKey;
       ++block) {
    int64_t firstKey = block * kKeyBlock;
    scores.first = task.keys + 2 * block * task.keyGroupStride;
    accumulateBlock<false>(scores, state.scores, rowBytes);
    if (!isInterior(firstKey, task) || !isUnpadded(firstKey, task))
      maskScores(state.scores, firstKey, task);
    absorbScores(state, accumulatorRows);
    for (int64_t group = 0; group < task.valueGroups; group += 2) {
      update.first = task.values + group * task.valueGroupStride +
                     block * kPieces * kTileElements;
      accumulateBlock<false>(
          update, state.accumulator + group * kTileRows * kQueryBlock,
          rowBytes);
    }
  }
  storeResult(state, task);
}

/// Answers Halide's bounds query for the result region `out` (feature,
/// query in block, block, head, batch).
void setRequiredRegions(halide_buffer_t *queries, halide_buffer_t *keys,
                        halide_buffer_t *values, halide_buffer_t *keyVisible,
                        int32_t headDim, int32_t numKeys, int32_t groupSize,
                        const halide_buffer_t *out) {
  int32_t headSteps = int32_t(getSteps(headDim));
  int32_t keyBlocks = int32_t((numKeys + kKeyBlock - 1) / kKeyBlock);
  int32_t features = out->dim[0].min + out->dim[0].extent;
  int32_t valueGroups = int32_t((features + kBlockRows - 1) / kBlockRows * 2);
  const halide_dimension_t &heads = out->dim[3], &batch = out->dim[4];
  int32_t firstKvHead = heads.min / groupSize;
  halide_dimension_t kvHeads = {
      firstKvHead, (heads.min + heads.extent - 1) / groupSize - firstKvHead + 1,
      0, 0};
  auto setTiles = [](halide_buffer_t *pieces, int32_t inRow, int32_t steps,
                     halide_dimension_t groups, halide_dimension_t head,
                     halide_dimension_t batchDim) {
    if (!isBoundsQuery(pieces))
      return;
    pieces->dim[kInRow] = {0, inRow, 0, 0};
    pieces->dim[kTileRow] = {0, int32_t(kTileRows), 0, 0};
    pieces->dim[kPiece] = {0, int32_t(kPieces), 0, 0};
    pieces->dim[kStep] = {0, steps, 0, 0};
    pieces->dim[kGroup] = groups;
    pieces->dim[kHead] = head;
    pieces->dim[kBatch] = batchDim;
  };
  // The queries' and values' elements are pairs of bf16, the keys' bf16.
  const halide_dimension_t &blocks = out->dim[2];
  setTiles(queries, int32_t(kLanes), headSteps,
           {blocks.min * 2, blocks.extent * 2, 0, 0}, heads, batch);
  setTiles(keys, int32_t(kTileDepth), headSteps, {0, keyBlocks * 2, 0, 0},
           kvHeads, batch);
  setTiles(values, int32_t(kLanes), keyBlocks, {0, valueGroups, 0, 0}, kvHeads,
           batch);
  if (isBoundsQuery(keyVisible)) {
    keyVisible->dim[0] = {0, keyBlocks * int32_t(kKeyBlock), 0, 0};
    keyVisible->dim[1] = batch;
  }
}

/// Whether `pieces` holds whole tiles of at least `steps` steps, densely:
/// the layout the kernel reads through group strides alone.
bool hasDenseTiles(const halide_buffer_t *pieces, int64_t elementsPerRow,
                   int64_t steps) {
  const halide_dimension_t *dim = pieces->dim;
  for (int d = kInRow; d <= kStep; ++d)
    if (dim[d].min != 0)
      return false;
  return dim[kStep].extent >= steps && dim[kInRow].stride == 1 &&
         dim[kTileRow].stride == elementsPerRow &&
         dim[kPiece].stride == elementsPerRow * kTileRows &&
         dim[kStep].stride == elementsPerRow * kTileRows * kPieces &&
         dim[kGroup].stride ==
             elementsPerRow * kTileRows * kPieces * dim[kStep].extent;
}

/// The element at `dim`-indices (..., group 0, head, batch) of `pieces`,
/// as bf16 (`elementBytes` 2) or pairs of bf16 (4).
const uint16_t *getGroupStart(const halide_buffer_t *pieces, int32_t group,
                              int32_t head, int32_t batch,
                              int64_t elementBytes) {
  const halide_dimension_t *dim = pieces->dim;
  int64_t offset = int64_t(group - dim[kGroup].min) * dim[kGroup].stride +
                   int64_t(head - dim[kHead].min) * dim[kHead].stride +
                   int64_t(batch - dim[kBatch].min) * dim[kBatch].stride;
  return reinterpret_cast<const uint16_t *>(pieces->host +
                                            offset * elementBytes);
}

} // namespace

int32_t kiln_amx_attention(halide_buffer_t *queries, halide_buffer_t *keys,
                           halide_buffer_t *values, halide_buffer_t *keyVisible,
                           int32_t headDim, int32_t numKeys,
                           int32_t positionOffset, int32_t groupSize,
                           int32_t isCausal, int32_t window,
                           halide_buffer_t *out) {
  if (isBoundsQuery(queries) || isBoundsQuery(keys) || isBoundsQuery(values) ||
      isBoundsQuery(keyVisible)) {
    setRequiredRegions(queries, keys, values, keyVisible, headDim, numKeys,
                       groupSize, out);
    return 0;
  }
  constexpr int64_t pairElements = kLanes, bf16Elements = kTileDepth;
  int64_t headSteps = getSteps(headDim);
  int64_t keyBlocks = (numKeys + kKeyBlock - 1) / kKeyBlock;
  // Groups of 16 features, in pairs.
  int64_t valueGroups = (out->dim[0].extent + kBlockRows - 1) / kBlockRows * 2;
  if (!hasDenseTiles(queries, pairElements, headSteps) ||
      !hasDenseTiles(keys, bf16Elements, headSteps) ||
      !hasDenseTiles(values, pairElements, keyBlocks) ||
      values->dim[kGroup].extent < valueGroups || out->dim[0].min != 0 ||
      out->dim[0].stride != 1 || out->dim[1].min != 0 ||
      out->dim[1].extent > kQueryBlock) {
    kiln_kernel_error(nullptr,
                      "the AMX attention kernel needs dense tiles of its "
                      "operands and blocks of at most 32 whole result rows");
    return -1;
  }
  if (!isAmxUsable()) {
    kiln_kernel_error(nullptr, "this kernel needs AMX tiles with bf16, which "
                               "this CPU or OS does not provide");
    return -1;
  }
  QueryBlockTask task;
  task.headSteps = headSteps;
  task.queryGroupStride = queries->dim[kGroup].stride * 2;
  task.keyGroupStride = keys->dim[kGroup].stride;
  task.valueGroupStride = values->dim[kGroup].stride * 2;
  task.valueGroups = valueGroups;
  task.numKeys = numKeys;
  task.mask.isCausal = isCausal != 0;
  task.mask.window = window;
  task.outQueryStride = out->dim[1].stride;
  task.outFeatures = out->dim[0].extent;
  int64_t numQueries = numKeys - positionOffset;

  SoftmaxState state;
  std::unique_ptr<float[]> accumulator(new (
      std::align_val_t(64)) float[task.valueGroups * kTileRows * kQueryBlock]);
  state.accumulator = accumulator.get();
  loadTileConfig();
  const halide_dimension_t &blocks = out->dim[2], &heads = out->dim[3],
                           &batches = out->dim[4];
  for (int32_t batch = batches.min; batch < batches.min + batches.extent;
       ++batch) {
    task.keyVisible =
        keyVisible->host +
        int64_t(batch - keyVisible->dim[1].min) * keyVisible->dim[1].stride;
    for (int32_t head = heads.min; head < heads.min + heads.extent; ++head) {
      int32_t kvHead = head / groupSize;
      task.keys = getGroupStart(keys, 0, kvHead, batch, 2);
      task.values = getGroupStart(values, 0, kvHead, batch, 4);
      for (int32_t block = blocks.min; block < blocks.min + blocks.extent;
           ++block) {
        int64_t firstQuery = int64_t(block) * kQueryBlock;
        task.queries = getGroupStart(queries, block * 2, head, batch, 4);
        task.mask.firstPosition = firstQuery + positionOffset;
        task.outQueries =
            std::clamp<int64_t>(numQueries - firstQuery, 0, out->dim[1].extent);
        task.out = reinterpret_cast<float *>(out->host) +
                   int64_t(block - blocks.min) * out->dim[2].stride +
                   int64_t(head - heads.min) * heads.stride +
                   int64_t(batch - batches.min) * batches.stride;
        computeQueryBlock(task, state);
      }
    }
  }
  releaseTiles();
  return 0;
}
