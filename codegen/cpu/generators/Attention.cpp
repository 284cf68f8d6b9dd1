//===- Attention.cpp - Kernels of kiln.attention --------------------------===//
//
// Flash-style fused attention. Each task takes a tile of `query_tile`
// queries of one head and walks the keys in tiles of `key_tile`, keeping
// only [query_tile x key_tile] scores (in L1) and never the [seq x seq]
// matrix. Queries sit in the vector lanes throughout: the query tile is
// transposed once per task, so that both contractions become register-tiled
// GEMM micro-kernels that broadcast one key or value element against a
// vector of queries, and the softmax statistics of a tile are element-wise
// maxima and sums across its keys, with no horizontal reduction.
//
// Per key tile the kernel computes the scores in blocks of `key_block`
// keys, masks them, takes the tile's maximum, the exponentials relative to
// it, their sum and the values they weight (in blocks of `value_block`
// features). A running state per query (maximum, sum and one accumulator
// per value feature, held as Halide tuples of up to 16 features, so that
// the rescaling exponential is computed once per chunk of features rather
// than once per feature) absorbs each tile by rescaling both sides to the
// larger maximum.
//
// Key tiles that the causal or sliding-window mask hides from every query
// of a tile are never visited: the predicate on the loop over key tiles
// becomes its bounds. Grouped-query and multi-query attention read
// key/value head `h / (query_heads / kv_heads)` directly, without copies.
//
// The scale is folded, with log2(e), into the transposed queries, so that
// the exponentials are powers of two (a short polynomial). Masked scores
// become the lowest float, whose power of two is exactly zero, while every
// maximum starts at -1e30: no infinity arises, so the kernel keeps Halide's
// fast floating-point semantics, and a query that sees no key ends with a
// zero sum and yields zeros. Partial query and key tiles clamp their reads
// to the last query and key; the clamped lanes are masked or never stored,
// and Halide peels the clamping off the loops over full tiles. The kernel
// requires dense key rows (as the host passes every tensor), so that the
// rows of a key block sit at constant offsets from one address.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Target.h"
#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

#include "llvm/ADT/bit.h"
#include "llvm/Support/MathExtras.h"

#include <algorithm>
#include <limits>
#include <optional>

using namespace llvm;

namespace kiln {

/// Independent accumulators of the reductions over the keys of a tile.
constexpr int kReductionChains = 4;

/// The most value features that share one tuple of the running state.
constexpr int kMaxStateChunk = 16;

/// The features per tuple of the running state for `valueDim` features:
/// the largest divisor of `valueDim` up to kMaxStateChunk. Chunks bound the
/// size of the tuple, which Halide lowers element by element, at the cost
/// of one rescaling exponential per chunk.
static int getStateChunk(int valueDim) {
  int chunk = std::min(valueDim, kMaxStateChunk);
  while (valueDim % chunk != 0)
    --chunk;
  return chunk;
}

/// The starting maximum of every softmax maximum: far above the masked
/// scores (the lowest float) and far below any real score.
constexpr float kMaximumFloor = -1e30f;

namespace {

/// The functions and reductions of the attention algorithm, which the
/// schedule places.
struct AttentionStages {
  /// The result, the normalised accumulators of a task's queries and the
  /// reciprocals of their sums.
  Halide::Func output{"output"}, normalized{"normalized"},
      inverseSum{"inverse_sum"};
  /// The running state: maximum, sum and one accumulator per feature, for
  /// each chunk of features.
  Halide::Func state{"state"};
  /// The scaled query tile as the rows are stored, and transposed with
  /// queries innermost.
  Halide::Func queryRows{"query_rows"}, queryTileT{"query_tile_t"};
  /// Per key tile: register blocks of scores and the masked tile.
  Halide::Func scoreBlock{"score_block"}, scores{"scores"};
  /// Per key tile: maximum, exponentials and their sum.
  Halide::Func tileMax{"tile_max"}, probabilities{"probabilities"},
      tileSum{"tile_sum"};
  /// Per key tile: register blocks of weighted values and the whole tile.
  Halide::Func valueBlock{"value_block"}, tileValues{"tile_values"};
  /// Over key tiles (visible ones only), the head dimension and the keys
  /// of one tile.
  Halide::RDom tile, dot, within;
};

/// Generates the fused attention kernels.
class AttentionGenerator : public KernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.attention"};
    return names;
  }

  ScheduleSpace getScheduleSpace(const KernelSignature &signature,
                                 const Halide::Target &target) const override {
    ScheduleSpace space;
    addVectorParameter(space, target);
    // Defaults: two vectors of queries by a register block of 8 keys or
    // features (4 with 16 vector registers) keep half the registers as
    // accumulators, enough to hide the latency of the FMAs.
    int lanes = getNativeFloatLanes(target);
    int block = lanes >= 16 ? 8 : 4;
    space.addParameter("query_tile", "queries per task, in the vector lanes",
                       {4, 8, 16, 32, 48, 64}, 2 * lanes);
    // Causal and window masks waste about half a key tile per query on the
    // diagonal, so they prefer smaller key tiles.
    bool hasStructuralMask = signature.getString("mask") != "none";
    space.addParameter("key_tile", "keys per step of the online softmax",
                       {8, 16, 32, 64, 128, 256}, hasStructuralMask ? 32 : 64);
    const int64_t blocks[] = {1, 2, 4, 8, 12, 16, 24, 32};
    space.addParameter("key_block",
                       "keys per register block of the scores (unrolled)",
                       blocks, block);
    int64_t valueDim = signature.getOperands()[2].dims[3];
    space.addParameter(
        "value_block",
        "value features per register block of the weighted sum (unrolled)",
        blocks, std::min<int64_t>(block, llvm::bit_floor(uint64_t(valueDim))));
    addParallelParameter(space);
    space.addConstraint(
        "query_tile is a multiple of vector", [](const Schedule &schedule) {
          return schedule.get("query_tile") % schedule.get("vector") == 0;
        });
    space.addConstraint(
        "key_block is at most key_tile", [](const Schedule &schedule) {
          return schedule.get("key_block") <= schedule.get("key_tile");
        });
    space.addConstraint("value_block is at most the value size",
                        [valueDim](const Schedule &schedule) {
                          return schedule.get("value_block") <= valueDim;
                        });
    return space;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    KernelBuilder builder(signature, target);
    AttentionStages stages =
        defineAttention(signature, getParameter(schedule, "query_tile"),
                        getParameter(schedule, "key_tile"), builder);
    builder.addResult(0, stages.output);
    if (isAutoscheduled(schedule))
      return builder.finish();
    scheduleAttention(stages, schedule);
    return builder.finish();
  }

private:
  /// The algorithm, with queries in tiles of `queryTile` and keys in tiles
  /// of `keyTile`.
  static AttentionStages defineAttention(const KernelSignature &signature,
                                         int queryTile, int keyTile,
                                         KernelBuilder &builder);

  /// One task per query tile of one head; every per-key-tile function is
  /// computed inside the state's loop over key tiles.
  static void scheduleAttention(AttentionStages &stages,
                                const Schedule &schedule);
};

AttentionStages
AttentionGenerator::defineAttention(const KernelSignature &signature,
                                    int queryTile, int keyTile,
                                    KernelBuilder &builder) {
  Halide::ImageParam query = builder.addOperand(0, "query");
  Halide::ImageParam key = builder.addOperand(1, "key");
  Halide::ImageParam value = builder.addOperand(2, "value");
  // Dense key rows (see the file comment).
  key.dim(1).set_stride(key.dim(0).extent());
  std::optional<Halide::ImageParam> keyPadding;
  if (signature.getInt("key_padding"))
    keyPadding = builder.addOperand(3, "key_padding");

  const std::vector<TensorPattern> &operands = signature.getOperands();
  int headDim = static_cast<int>(operands[0].dims[3]);
  int valueDim = static_cast<int>(operands[2].dims[3]);
  int groupSize = static_cast<int>(operands[0].dims[1] / operands[1].dims[1]);
  StringRef mask = signature.getString("mask");
  Halide::Expr numQueries = query.dim(1).extent();
  Halide::Expr numKeys = key.dim(1).extent();
  // With more keys than queries, the queries are the latest positions.
  Halide::Expr positionOffset = numKeys - numQueries;
  std::optional<int> window;
  if (mask == "sliding_window")
    window = static_cast<int>(signature.getInt("window"));

  // Variables: i query within its tile, q query tile, j key within its
  // tile, t key tile, d key feature, e value feature, h query head, b batch.
  Halide::Var i("i"), q("q"), j("j"), t("t"), d("d"), e("e"), h("h"), b("b");
  Halide::Expr kvHead = h / groupSize;
  // `likely` lets Halide peel the clamping off the loops over full tiles.
  auto clampQuery = [&](Halide::Expr index) {
    return Halide::min(Halide::likely(index), numQueries - 1);
  };
  auto clampKey = [&](Halide::Expr index) {
    return Halide::min(Halide::likely(index), numKeys - 1);
  };

  AttentionStages stages;
  stages.dot = Halide::RDom(0, headDim, "dot");
  stages.within = Halide::RDom(0, keyTile, "within");
  Halide::RDom &dot = stages.dot, &within = stages.within;

  // Scores in log2 units: scale * log2(e) is applied to the queries once.
  float queryScale =
      static_cast<float>(signature.getFloat("scale") * numbers::log2e);
  stages.queryRows(d, i, q, h, b) =
      query(d, clampQuery(q * queryTile + i), h, b) * queryScale;
  stages.queryTileT(i, d, q, h, b) = stages.queryRows(d, i, q, h, b);
  Halide::Expr keyAt = t * keyTile + j;
  Halide::Func &scoreBlock = stages.scoreBlock;
  scoreBlock(i, j, q, h, b, t) = 0.0f;
  scoreBlock(i, j, q, h, b, t) +=
      stages.queryTileT(i, dot, q, h, b) * key(dot, clampKey(keyAt), kvHead, b);

  Halide::Expr position = q * queryTile + i + positionOffset;
  Halide::Expr visible = keyAt < numKeys;
  if (mask != "none")
    visible = visible && keyAt <= position;
  if (window)
    visible = visible && position - keyAt < *window;
  if (keyPadding)
    visible = visible && (*keyPadding)(clampKey(keyAt), b) !=
                             Halide::Internal::make_zero(keyPadding->type());
  stages.scores(i, j, q, h, b, t) =
      Halide::select(visible, scoreBlock(i, j, q, h, b, t),
                     std::numeric_limits<float>::lowest());

  // Per key tile: the maximum, the exponentials relative to it, their sum
  // and the values they weight.
  Halide::Func &tileMax = stages.tileMax;
  tileMax(i, q, h, b, t) = kMaximumFloor;
  tileMax(i, q, h, b, t) =
      Halide::max(tileMax(i, q, h, b, t), stages.scores(i, within, q, h, b, t));
  stages.probabilities(i, j, q, h, b, t) = exp2OfNonPositive(
      stages.scores(i, j, q, h, b, t) - tileMax(i, q, h, b, t));
  stages.tileSum(i, q, h, b, t) = 0.0f;
  stages.tileSum(i, q, h, b, t) += stages.probabilities(i, within, q, h, b, t);
  Halide::Func &valueBlock = stages.valueBlock;
  valueBlock(i, e, q, h, b, t) = 0.0f;
  valueBlock(i, e, q, h, b, t) +=
      stages.probabilities(i, within, q, h, b, t) *
      value(e, clampKey(t * keyTile + within), kvHead, b);
  stages.tileValues(i, e, q, h, b, t) = valueBlock(i, e, q, h, b, t);

  // The key tiles that some query of tile q sees: the last one holds the
  // latest position of the tile, the first one the window's start for the
  // earliest position.
  Halide::Expr numTiles = (numKeys + keyTile - 1) / keyTile;
  stages.tile = Halide::RDom(0, numTiles, "tile");
  Halide::RDom &tile = stages.tile;
  Halide::Expr firstPosition = q * queryTile + positionOffset;
  if (mask != "none")
    tile.where(tile * keyTile <= firstPosition + queryTile - 1);
  if (window)
    tile.where(tile * keyTile + keyTile > firstPosition - *window + 1);

  // The running state per chunk of features: maximum, sum and the
  // chunk's accumulators, which absorb each key tile after rescaling both
  // sides to the larger maximum. One of the two scales is 1, so one
  // exponential serves both.
  int chunk = getStateChunk(valueDim);
  Halide::Var c("c");
  Halide::Func &state = stages.state;
  std::vector<Halide::Expr> initial(chunk + 2, 0.0f);
  initial[0] = kMaximumFloor;
  state(i, c, q, h, b) = Halide::Tuple(initial);
  Halide::FuncRef old = state(i, c, q, h, b);
  Halide::Expr newTileMax = tileMax(i, q, h, b, tile);
  Halide::Expr keepsMax = old[0] >= newTileMax;
  Halide::Expr smallerScale =
      exp2OfNonPositive(-Halide::abs(old[0] - newTileMax));
  Halide::Expr oldScale = Halide::select(keepsMax, 1.0f, smallerScale);
  Halide::Expr tileScale = Halide::select(keepsMax, smallerScale, 1.0f);
  std::vector<Halide::Expr> updated;
  updated.push_back(Halide::max(old[0], newTileMax));
  updated.push_back(old[1] * oldScale +
                    stages.tileSum(i, q, h, b, tile) * tileScale);
  for (int inChunk = 0; inChunk < chunk; ++inChunk)
    updated.push_back(old[inChunk + 2] * oldScale +
                      stages.tileValues(i, c * chunk + inChunk, q, h, b, tile) *
                          tileScale);
  state(i, c, q, h, b) = Halide::Tuple(updated);

  // One reciprocal per query, which turns the normalisation into products;
  // a query that saw no key has a zero sum and yields zeros.
  Halide::Expr sum = state(i, 0, q, h, b)[1];
  stages.inverseSum(i, q, h, b) = Halide::select(sum > 0.0f, 1.0f / sum, 0.0f);
  Halide::FuncRef last = state(i, e / chunk, q, h, b);
  std::vector<Halide::Expr> accumulators;
  for (int inChunk = 0; inChunk < chunk; ++inChunk)
    accumulators.push_back(last[inChunk + 2]);
  stages.normalized(i, e, q, h, b) =
      Halide::mux(e % chunk, accumulators) * stages.inverseSum(i, q, h, b);
  Halide::Var queryAt("query_at");
  stages.output(e, queryAt, h, b) =
      stages.normalized(queryAt % queryTile, e, queryAt / queryTile, h, b);
  return stages;
}

void AttentionGenerator::scheduleAttention(AttentionStages &stages,
                                           const Schedule &schedule) {
  int vector = getParameter(schedule, "vector");
  int queryTile = getParameter(schedule, "query_tile");
  auto guard = Halide::TailStrategy::GuardWithIf;
  auto shift = Halide::TailStrategy::ShiftInwards;

  std::vector<Halide::Var> outputVars = stages.output.args();
  Halide::Var e = outputVars[0], queryAt = outputVars[1], h = outputVars[2],
              b = outputVars[3];
  Halide::Var queryTileIndex("query_tile_index"), queryInner("query_inner"),
      task("task");
  // The output turns the normalised accumulators back to features
  // innermost, in blocks of `vector` features by the query tile: vectors of
  // features from constant positions of a block, which LLVM turns into
  // shuffles.
  Halide::Var featureBlock("feature_block"), featureInBlock("feature_in_block");
  stages.output.split(queryAt, queryTileIndex, queryInner, queryTile, guard)
      .split(e, featureBlock, featureInBlock, vector, guard)
      .reorder(featureInBlock, queryInner, featureBlock, queryTileIndex, h, b)
      .fuse(queryTileIndex, h, task)
      .fuse(task, b, task)
      .vectorize(featureInBlock)
      .unroll(queryInner);
  if (schedule.get("parallel"))
    stages.output.parallel(task);

  // Queries in the lanes: `vector` lanes, and the vectors of a tile
  // unrolled.
  std::vector<Halide::Var> stateVars = stages.state.args();
  Halide::Var i = stateVars[0];
  Halide::Var lanes("lanes"), laneGroups("lane_groups");
  auto vectorizeQueries = [&](Halide::Stage stage) {
    return stage.split(i, laneGroups, lanes, vector)
        .vectorize(lanes)
        .unroll(laneGroups);
  };

  // A task's functions cover one query tile, which Halide cannot prove
  // through the division in the output's indices; bounding them keeps
  // their buffers on the stack.
  Halide::Var chunk = stateVars[1], q = stateVars[2];
  std::vector<Halide::Var> normalizedVars = stages.normalized.args();
  stages.normalized.compute_at(stages.output, featureBlock)
      .bound_extent(q, 1)
      .bound_extent(normalizedVars[1], vector)
      .unroll(normalizedVars[1]);
  vectorizeQueries(stages.normalized);
  stages.inverseSum.compute_at(stages.output, task).bound_extent(q, 1);
  vectorizeQueries(stages.inverseSum);
  stages.state.compute_at(stages.output, task).bound_extent(q, 1);
  vectorizeQueries(stages.state);
  vectorizeQueries(stages.state.update().reorder(i, chunk, stages.tile));
  // The query tile is transposed in square blocks of `vector` queries by
  // `vector` features: dense loads of the rows, then vectors of queries
  // from constant positions of the block, which LLVM turns into shuffles.
  Halide::Var queryFeature = stages.queryTileT.args()[1];
  Halide::Var queryInBlock("query_in_block"), queryBlock("query_block"),
      featureInRows("feature_in_rows"), featureRows("feature_rows");
  stages.queryTileT.compute_at(stages.output, task)
      .bound_extent(q, 1)
      .split(i, queryBlock, queryInBlock, vector)
      .split(queryFeature, featureRows, featureInRows, vector, guard)
      .reorder(queryInBlock, featureInRows, queryBlock, featureRows)
      .vectorize(queryInBlock)
      .unroll(featureInRows);
  std::vector<Halide::Var> rowVars = stages.queryRows.args();
  stages.queryRows.compute_at(stages.queryTileT, queryBlock)
      .vectorize(rowVars[0], vector, guard)
      .unroll(rowVars[1]);

  // Likewise, the per-tile functions cover one query tile and one key
  // tile, which Halide cannot prove where it peels the loop over tiles.
  auto perTile = [&](Halide::Func &func) -> Halide::Func & {
    return func.compute_at(stages.state, stages.tile)
        .bound_extent(q, 1)
        .bound_extent(func.args().back(), 1);
  };
  // A register block: `size` values of `dim` by the query tile, computed
  // per iteration of `loop` of the per-tile function `tileFunc`, with the
  // block fully unrolled so that it lives in registers.
  auto perBlock = [&](Halide::Func &block, Halide::Func &tileFunc,
                      Halide::Var loop, Halide::Var dim, int size) {
    block.compute_at(tileFunc, loop)
        .bound_extent(q, 1)
        .bound_extent(block.args().back(), 1)
        .bound_extent(dim, size)
        .unroll(dim);
    vectorizeQueries(block);
  };
  // Scores: blocks of `key_block` keys by the query tile, accumulated in
  // registers over the head dimension.
  Halide::Var j = stages.scores.args()[1];
  int keyBlock = getParameter(schedule, "key_block");
  Halide::Var keyBlocks("key_blocks"), keyInBlock("key_in_block");
  perTile(stages.scores)
      .split(j, keyBlocks, keyInBlock, keyBlock, shift)
      .reorder(i, keyInBlock, keyBlocks)
      .unroll(keyInBlock);
  vectorizeQueries(stages.scores);
  perBlock(stages.scoreBlock, stages.scores, keyBlocks, j, keyBlock);
  vectorizeQueries(stages.scoreBlock.update().reorder(i, j, stages.dot))
      .unroll(j);

  // The maximum and the sum of a tile reduce over its keys in independent
  // chains, which hide the latency of the vector operations.
  auto reduceOverKeys = [&](Halide::Func &reduction) {
    perTile(reduction);
    vectorizeQueries(reduction);
    Halide::RVar keyStep("key_step"), chainKey("chain_key");
    Halide::Var chain("chain");
    Halide::Func chains =
        reduction.update()
            .split(stages.within, keyStep, chainKey, kReductionChains)
            .rfactor(chainKey, chain);
    reduction.update().reorder(i, chainKey);
    vectorizeQueries(reduction.update()).unroll(chainKey);
    chains.compute_at(reduction, Halide::Var::outermost()).unroll(chain);
    vectorizeQueries(chains);
    vectorizeQueries(chains.update().reorder(i, chain, keyStep)).unroll(chain);
  };
  reduceOverKeys(stages.tileMax);
  perTile(stages.probabilities);
  vectorizeQueries(stages.probabilities);
  reduceOverKeys(stages.tileSum);

  // Weighted values: blocks of `value_block` features by the query tile,
  // accumulated in registers over the keys of the tile.
  Halide::Var valueFeature = stages.tileValues.args()[1];
  int valueBlock = getParameter(schedule, "value_block");
  Halide::Var valueBlocks("value_blocks"), valueInBlock("value_in_block");
  perTile(stages.tileValues)
      .split(valueFeature, valueBlocks, valueInBlock, valueBlock, shift)
      .reorder(i, valueInBlock, valueBlocks)
      .unroll(valueInBlock);
  vectorizeQueries(stages.tileValues);
  perBlock(stages.valueBlock, stages.tileValues, valueBlocks, valueFeature,
           valueBlock);
  vectorizeQueries(
      stages.valueBlock.update().reorder(i, valueFeature, stages.within))
      .unroll(valueFeature);
}

} // namespace

const KernelGenerator &getAttentionGenerator() {
  static const AttentionGenerator generator;
  return generator;
}

} // namespace kiln
