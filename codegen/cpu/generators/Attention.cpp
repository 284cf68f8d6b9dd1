//===- Attention.cpp - Kernels of kiln.attention --------------------------===//
//
// Flash-style fused attention. Each task takes a tile of `query_tile`
// queries of one head and walks the keys in tiles, keeping only
// [query_tile x key tile] scores (in L1) and never the [seq x seq] matrix.
// Queries sit in the vector lanes throughout: the query tile is transposed once
// per task, so that both contractions become register-tiled GEMM micro-kernels
// that broadcast one key or value element against a vector of queries, and the
// softmax statistics of a tile are element-wise maxima and sums across its
// keys, with no horizontal reduction.
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
// The keys of a query tile fall into three ranges, each walked in its own
// tiles by its own update of the state: the interior, keys that every
// query of the tile sees, in tiles of `key_tile` with no mask but the key
// padding; and on either side the edges, in tiles of `edge_key_tile` with
// every mask: the window's start before the interior, the causal diagonal
// and the end of the keys after it. Large interior tiles rescale the state
// less often; small edge tiles waste fewer keys that some queries do not
// see (a causal tile on the diagonal hides half its keys from the average
// query). Key tiles that the causal or sliding-window mask hides from
// every query of a tile are never visited: the predicates on the loops
// over key tiles become their bounds. Grouped-query and multi-query attention
// read key/value head `h / (query_heads / kv_heads)` directly, without copies.
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
// On AMX targets (schedule parameter `amx`), both products run on the tile
// unit at f32 accuracy instead: Halide stages split the scaled queries,
// the keys and the values into their bf16 pieces once per call
// (AmxOperands.h), and each task's block of 32 queries is the runtime's
// extern stage `kiln_amx_attention` (runtime/src/AmxAttention.cpp), the
// same online softmax over blocks of 32 keys.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Target.h"
#include "codegen/cpu/generators/AmxOperands.h"
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

/// One walk over a range of the keys in tiles of one size: the functions
/// computed per key tile, whose results one update of the running state
/// absorbs.
struct KeyTileWalk {
  /// Per key tile: register blocks of scores and the (masked) tile.
  Halide::Func scoreBlock, scores;
  /// Per key tile: maximum, exponentials and their sum.
  Halide::Func tileMax, probabilities, tileSum;
  /// Per key tile: register blocks of weighted values and the whole tile.
  Halide::Func valueBlock, tileValues;
  /// Over the walk's key tiles, the head dimension and the keys of a tile.
  Halide::RDom tile, dot, within;
};

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
  /// The walks over the keys, in the order of the state's updates.
  std::vector<KeyTileWalk> walks;
};

/// Vectorizes `stage` across the queries `i` in vectors of `vector` lanes,
/// with the vectors of a tile unrolled.
Halide::Stage vectorizeQueries(Halide::Stage stage, Halide::Var i, int vector) {
  Halide::Var lanes("lanes"), laneGroups("lane_groups");
  return stage.split(i, laneGroups, lanes, vector)
      .vectorize(lanes)
      .unroll(laneGroups);
}

/// The operands of an attention kernel and the sizes it is compiled for.
struct AttentionOperands {
  Halide::ImageParam query, key, value;
  std::optional<Halide::ImageParam> keyPadding;
  int headDim, valueDim;
  /// Query heads per key/value head.
  int groupSize;
  bool isCausal;
  /// The keys a query sees at most, with a sliding-window mask.
  std::optional<int> window;

  /// Adds the operands of `signature` to `builder`.
  AttentionOperands(const KernelSignature &signature, KernelBuilder &builder)
      : query(builder.addOperand(0, "query")),
        key(builder.addOperand(1, "key")),
        value(builder.addOperand(2, "value")) {
    if (signature.getInt("key_padding"))
      keyPadding = builder.addOperand(3, "key_padding");
    const std::vector<TensorPattern> &operands = signature.getOperands();
    headDim = static_cast<int>(operands[0].dims[3]);
    groupSize = static_cast<int>(operands[0].dims[1] / operands[1].dims[1]);
    valueDim = static_cast<int>(operands[2].dims[3]);
    isCausal = signature.getString("mask") != "none";
    if (signature.getString("mask") == "sliding_window")
      window = static_cast<int>(signature.getInt("window"));
  }
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
    const int64_t keyTiles[] = {8, 16, 32, 64, 128, 256};
    // Each step of the online softmax rescales the whole state, so the
    // interior prefers large tiles; along a mask's edges a tile wastes
    // about half its keys on the queries that do not see them, so the
    // edges prefer small ones.
    space.addParameter("key_tile",
                       "keys per step of the online softmax where every "
                       "query of the tile sees every key",
                       keyTiles, 64);
    space.addParameter("edge_key_tile",
                       "keys per step of the online softmax along the edges "
                       "of the causal or window mask and at the end of the "
                       "keys",
                       keyTiles, 32);
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
    // Both products on AMX tiles at f32 accuracy, where the target has them.
    // Not the default: the AMX kernel has not been timed against the f32
    // one yet (only checked, on an emulation of the tiles), so only
    // kiln-tune chooses it, from measurements.
    space.addParameter("amx",
                       "whether both products run on AMX tiles (bf16 pieces "
                       "at f32 accuracy) rather than f32 FMAs; the other "
                       "parameters then do not apply",
                       hasAmxTiles(target) ? std::vector<int64_t>{0, 1}
                                           : std::vector<int64_t>{0},
                       0);
    space.addConstraint(
        "amx kernels keep the generator's schedule (autoscheduler 0)",
        [](const Schedule &schedule) {
          return !schedule.get("amx") || !isAutoscheduled(schedule);
        });
    space.addConstraint(
        "query_tile is a multiple of vector", [](const Schedule &schedule) {
          return schedule.get("query_tile") % schedule.get("vector") == 0;
        });
    space.addConstraint(
        "edge_key_tile divides key_tile", [](const Schedule &schedule) {
          return schedule.get("key_tile") % schedule.get("edge_key_tile") == 0;
        });
    space.addConstraint(
        "key_block is at most edge_key_tile", [](const Schedule &schedule) {
          return schedule.get("key_block") <= schedule.get("edge_key_tile");
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
    if (schedule.get("amx"))
      return generateAmx(signature, schedule, target);
    KernelBuilder builder(signature, target);
    AttentionStages stages =
        defineAttention(signature, getParameter(schedule, "query_tile"),
                        getParameter(schedule, "key_tile"),
                        getParameter(schedule, "edge_key_tile"), builder);
    builder.addResult(0, stages.output);
    if (isAutoscheduled(schedule))
      return builder.finish();
    scheduleAttention(stages, schedule);
    return builder.finish();
  }

private:
  /// Generates the kernel whose products run on AMX tiles: the operands'
  /// pieces, then per task the runtime's `kiln_amx_attention` for one block
  /// of 32 queries (see the file comment).
  static Expected<GeneratedKernel> generateAmx(const KernelSignature &signature,
                                               const Schedule &schedule,
                                               const Halide::Target &target);

  /// The algorithm, with queries in tiles of `queryTile` and keys in tiles
  /// of `keyTile` where no structural mask hides any, else `edgeKeyTile`.
  static AttentionStages defineAttention(const KernelSignature &signature,
                                         int queryTile, int keyTile,
                                         int edgeKeyTile,
                                         KernelBuilder &builder);

  /// One task per query tile of one head; every per-key-tile function is
  /// computed inside its walk's loop over key tiles.
  static void scheduleAttention(AttentionStages &stages,
                                const Schedule &schedule);

  /// The per-key-tile functions of `walk`, update `update` of the state,
  /// which covers tiles of one query tile.
  static void scheduleWalk(AttentionStages &stages, KeyTileWalk &walk,
                           int update, const Schedule &schedule);
};

AttentionStages
AttentionGenerator::defineAttention(const KernelSignature &signature,
                                    int queryTile, int keyTile, int edgeKeyTile,
                                    KernelBuilder &builder) {
  AttentionOperands operands(signature, builder);
  Halide::ImageParam query = operands.query, key = operands.key,
                     value = operands.value;
  const std::optional<Halide::ImageParam> &keyPadding = operands.keyPadding;
  int headDim = operands.headDim, groupSize = operands.groupSize,
      valueDim = operands.valueDim;
  bool isCausal = operands.isCausal;
  std::optional<int> window = operands.window;
  // Dense key rows (see the file comment).
  key.dim(1).set_stride(key.dim(0).extent());
  Halide::Expr numQueries = query.dim(1).extent();
  Halide::Expr numKeys = key.dim(1).extent();
  // With more keys than queries, the queries are the latest positions.
  Halide::Expr positionOffset = numKeys - numQueries;

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
  // Scores in log2 units: scale * log2(e) is applied to the queries once.
  float queryScale =
      static_cast<float>(signature.getFloat("scale") * numbers::log2e);
  stages.queryRows(d, i, q, h, b) =
      query(d, clampQuery(q * queryTile + i), h, b) * queryScale;
  stages.queryTileT(i, d, q, h, b) = stages.queryRows(d, i, q, h, b);

  // The keys that some query of tile q sees, [beginSome, endSome), and
  // that every query of it sees, [beginAll, endAll): the first query sees
  // the fewest keys of a causal mask, the last one the fewest of a window.
  Halide::Expr firstPosition = q * queryTile + positionOffset;
  Halide::Expr lastPosition = firstPosition + queryTile - 1;
  Halide::Expr beginSome = 0, endSome = numKeys;
  Halide::Expr beginAll = 0, endAll = numKeys;
  if (isCausal) {
    endSome = Halide::min(numKeys, lastPosition + 1);
    endAll = Halide::min(numKeys, firstPosition + 1);
  }
  if (window) {
    beginSome = Halide::max(0, firstPosition - *window + 1);
    beginAll = Halide::max(0, lastPosition - *window + 1);
  }

  // A walk over tiles of `tileKeys` keys. Structural masks (bounds, causal,
  // window) apply only where `isEdge`; a key padding mask, which depends
  // on the data, applies everywhere.
  auto defineWalk = [&](const std::string &name, int tileKeys, bool isEdge) {
    KeyTileWalk walk;
    walk.dot = Halide::RDom(0, headDim, "dot_" + name);
    walk.within = Halide::RDom(0, tileKeys, "within_" + name);
    walk.tile =
        Halide::RDom(0, (numKeys + tileKeys - 1) / tileKeys, "tile_" + name);
    auto named = [&](const char *func) {
      return Halide::Func(std::string(func) + "_" + name);
    };
    walk.scoreBlock = named("score_block");
    walk.scores = named("scores");
    walk.tileMax = named("tile_max");
    walk.probabilities = named("probabilities");
    walk.tileSum = named("tile_sum");
    walk.valueBlock = named("value_block");
    walk.tileValues = named("tile_values");

    Halide::Expr keyAt = t * tileKeys + j;
    Halide::RDom &dot = walk.dot, &within = walk.within;
    walk.scoreBlock(i, j, q, h, b, t) = 0.0f;
    walk.scoreBlock(i, j, q, h, b, t) += stages.queryTileT(i, dot, q, h, b) *
                                         key(dot, clampKey(keyAt), kvHead, b);
    Halide::Expr position = q * queryTile + i + positionOffset;
    Halide::Expr visible = Halide::Internal::const_true();
    if (isEdge) {
      visible = keyAt < numKeys;
      if (isCausal)
        visible = visible && keyAt <= position;
      if (window)
        visible = visible && position - keyAt < *window;
    }
    if (keyPadding)
      visible = visible && (*keyPadding)(clampKey(keyAt), b) !=
                               Halide::Internal::make_zero(keyPadding->type());
    walk.scores(i, j, q, h, b, t) =
        Halide::select(visible, walk.scoreBlock(i, j, q, h, b, t),
                       std::numeric_limits<float>::lowest());

    // Per key tile: the maximum, the exponentials relative to it, their
    // sum and the values they weight.
    walk.tileMax(i, q, h, b, t) = kMaximumFloor;
    walk.tileMax(i, q, h, b, t) = Halide::max(
        walk.tileMax(i, q, h, b, t), walk.scores(i, within, q, h, b, t));
    walk.probabilities(i, j, q, h, b, t) = exp2OfNonPositive(
        walk.scores(i, j, q, h, b, t) - walk.tileMax(i, q, h, b, t));
    walk.tileSum(i, q, h, b, t) = 0.0f;
    walk.tileSum(i, q, h, b, t) += walk.probabilities(i, within, q, h, b, t);
    walk.valueBlock(i, e, q, h, b, t) = 0.0f;
    walk.valueBlock(i, e, q, h, b, t) +=
        walk.probabilities(i, within, q, h, b, t) *
        value(e, clampKey(t * tileKeys + within), kvHead, b);
    walk.tileValues(i, e, q, h, b, t) = walk.valueBlock(i, e, q, h, b, t);
    return walk;
  };

  // The keys split into three ranges, each walked in its own tiles: the
  // interior, whole tiles of `keyTile` keys that every query sees, between
  // the edges, tiles of `edgeKeyTile` keys: before the interior the
  // window's start, after it the causal diagonal and the end of the keys.
  // Tiles that no query of the tile sees are never visited. The online
  // softmax does not depend on the order in which it absorbs the tiles.
  Halide::Expr interiorBegin = (beginAll + keyTile - 1) / keyTile * keyTile;
  Halide::Expr interiorEnd =
      Halide::max(interiorBegin, endAll / keyTile * keyTile);
  if (window) {
    KeyTileWalk leading = defineWalk("leading", edgeKeyTile, true);
    Halide::Expr keyAt = leading.tile * edgeKeyTile;
    leading.tile.where(keyAt + edgeKeyTile > beginSome);
    leading.tile.where(keyAt < Halide::min(interiorBegin, endSome));
    stages.walks.push_back(leading);
  }
  KeyTileWalk interior = defineWalk("interior", keyTile, false);
  interior.tile.where(interior.tile * keyTile >= interiorBegin);
  interior.tile.where(interior.tile * keyTile + keyTile <= interiorEnd);
  stages.walks.push_back(interior);
  KeyTileWalk trailing = defineWalk("trailing", edgeKeyTile, true);
  trailing.tile.where(trailing.tile * edgeKeyTile >= interiorEnd);
  trailing.tile.where(trailing.tile * edgeKeyTile < endSome);
  stages.walks.push_back(trailing);

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
  for (KeyTileWalk &walk : stages.walks) {
    Halide::FuncRef old = state(i, c, q, h, b);
    Halide::Expr newTileMax = walk.tileMax(i, q, h, b, walk.tile);
    Halide::Expr keepsMax = old[0] >= newTileMax;
    Halide::Expr smallerScale =
        exp2OfNonPositive(-Halide::abs(old[0] - newTileMax));
    Halide::Expr oldScale = Halide::select(keepsMax, 1.0f, smallerScale);
    Halide::Expr tileScale = Halide::select(keepsMax, smallerScale, 1.0f);
    std::vector<Halide::Expr> updated;
    updated.push_back(Halide::max(old[0], newTileMax));
    updated.push_back(old[1] * oldScale +
                      walk.tileSum(i, q, h, b, walk.tile) * tileScale);
    for (int inChunk = 0; inChunk < chunk; ++inChunk)
      updated.push_back(
          old[inChunk + 2] * oldScale +
          walk.tileValues(i, c * chunk + inChunk, q, h, b, walk.tile) *
              tileScale);
    state(i, c, q, h, b) = Halide::Tuple(updated);
  }

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

Expected<GeneratedKernel>
AttentionGenerator::generateAmx(const KernelSignature &signature,
                                const Schedule &schedule,
                                const Halide::Target &target) {
  KernelBuilder builder(signature, target);
  AttentionOperands operands(signature, builder);
  Halide::ImageParam query = operands.query, key = operands.key,
                     value = operands.value;
  int headDim = operands.headDim, valueDim = operands.valueDim;
  Halide::Expr numQueries = query.dim(1).extent();
  Halide::Expr numKeys = key.dim(1).extent();
  auto clampKey = [&](const Halide::Expr &index) {
    return Halide::min(index, numKeys - 1);
  };

  // Scores in log2 units: scale * log2(e) is applied to the queries, which
  // are the second operand of S^T = K Q^T: pairs of features by queries.
  float queryScale =
      static_cast<float>(signature.getFloat("scale") * numbers::log2e);
  auto featureOrZero = [&](Halide::ImageParam tensor, const Halide::Expr &at,
                           const Halide::Expr &row, Halide::Var head,
                           Halide::Var batch) {
    return Halide::select(
        at < headDim, tensor(Halide::min(at, headDim - 1), row, head, batch),
        0.0f);
  };
  AmxOperand queryPieces = splitIntoPairTiles(
      "query_pieces",
      [&](const Halide::Var &pair, const Halide::Var &column,
          const Halide::Var &step, const Halide::Var &group,
          ArrayRef<Halide::Var> outer) {
        Halide::Expr at = step * kAmxTileDepth + 2 * pair;
        Halide::Expr row =
            Halide::min(group * kAmxTileRows + column, numQueries - 1);
        return std::make_pair(
            featureOrZero(query, at, row, outer[0], outer[1]) * queryScale,
            featureOrZero(query, at + 1, row, outer[0], outer[1]) * queryScale);
      },
      2);
  // The keys, first operand of S^T: rows are keys.
  AmxOperand keyPieces = splitIntoRowTiles(
      "key_pieces",
      [&](const Halide::Expr &row, const Halide::Expr &feature,
          ArrayRef<Halide::Var> outer) {
        return featureOrZero(key, feature, clampKey(row), outer[0], outer[1]);
      },
      2);
  // The values, first operand of O^T += V^T P^T: rows are features, pairs
  // of keys along the contraction. Keys past the last have probability 0.
  AmxOperand valuePieces = splitIntoPairTiles(
      "value_pieces",
      [&](const Halide::Var &row, const Halide::Var &pair,
          const Halide::Var &step, const Halide::Var &group,
          ArrayRef<Halide::Var> outer) {
        Halide::Expr feature =
            Halide::min(group * kAmxTileRows + row, valueDim - 1);
        Halide::Expr keyAt = step * kAmxTileDepth + 2 * pair;
        return std::make_pair(
            value(feature, clampKey(keyAt), outer[0], outer[1]),
            value(feature, clampKey(keyAt + 1), outer[0], outer[1]));
      },
      2);
  // Per key, whether the key padding keeps it; keys past the last never.
  Halide::Var k("k"), b("b");
  Halide::Expr exists = k < numKeys;
  if (const std::optional<Halide::ImageParam> &padding = operands.keyPadding)
    exists = exists && (*padding)(clampKey(k), b) !=
                           Halide::Internal::make_zero(padding->type());
  Halide::Func keyVisible("key_visible");
  keyVisible(k, b) = Halide::cast(Halide::UInt(8), exists);

  // blocks(e, i, q, h, b): feature e of query q * 32 + i of head h.
  Halide::Var e("e"), i("i"), q("q"), h("h"), queryAt("query_at");
  Halide::Func blocks("amx_attention");
  blocks.define_extern(kAmxAttentionFunction,
                       {queryPieces.tiles, keyPieces.tiles, valuePieces.tiles,
                        keyVisible, Halide::Expr(headDim), numKeys,
                        numKeys - numQueries, Halide::Expr(operands.groupSize),
                        Halide::Expr(int(operands.isCausal)),
                        Halide::Expr(operands.window.value_or(0))},
                       Halide::Float(32), {e, i, q, h, b});
  Halide::Func output("output");
  output(e, queryAt, h, b) =
      blocks(e, queryAt % kAmxBlockRows, queryAt / kAmxBlockRows, h, b);
  builder.addResult(0, output);

  // One task per block of queries of one head.
  Halide::Var block("block"), inBlock("in_block");
  output
      .split(queryAt, block, inBlock, kAmxBlockRows,
             Halide::TailStrategy::GuardWithIf)
      .reorder(e, inBlock, block, h, b)
      .vectorize(e, getParameter(schedule, "vector"),
                 Halide::TailStrategy::GuardWithIf);
  Halide::Var taskVar = fuseIntoParallelTask(output, block, {h, b}, schedule);
  blocks.compute_at(output, taskVar);
  for (const AmxOperand &operand : {queryPieces, keyPieces, valuePieces})
    scheduleAmxOperand(operand, schedule);
  keyVisible.compute_root().vectorize(k, getParameter(schedule, "vector"),
                                      Halide::TailStrategy::GuardWithIf);
  return builder.finish();
}

void AttentionGenerator::scheduleAttention(AttentionStages &stages,
                                           const Schedule &schedule) {
  int vector = getParameter(schedule, "vector");
  int queryTile = getParameter(schedule, "query_tile");
  auto guard = Halide::TailStrategy::GuardWithIf;

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

  // A task's functions cover one query tile, which Halide cannot prove
  // through the division in the output's indices; bounding them keeps
  // their buffers on the stack.
  std::vector<Halide::Var> stateVars = stages.state.args();
  Halide::Var i = stateVars[0], q = stateVars[2];
  std::vector<Halide::Var> normalizedVars = stages.normalized.args();
  stages.normalized.compute_at(stages.output, featureBlock)
      .bound_extent(q, 1)
      .bound_extent(normalizedVars[1], vector)
      .unroll(normalizedVars[1]);
  vectorizeQueries(stages.normalized, i, vector);
  stages.inverseSum.compute_at(stages.output, task).bound_extent(q, 1);
  vectorizeQueries(stages.inverseSum, i, vector);
  stages.state.compute_at(stages.output, task).bound_extent(q, 1);
  vectorizeQueries(stages.state, i, vector);
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

  for (auto [index, walk] : llvm::enumerate(stages.walks))
    scheduleWalk(stages, walk, static_cast<int>(index), schedule);
}

void AttentionGenerator::scheduleWalk(AttentionStages &stages,
                                      KeyTileWalk &walk, int update,
                                      const Schedule &schedule) {
  int vector = getParameter(schedule, "vector");
  auto shift = Halide::TailStrategy::ShiftInwards;
  std::vector<Halide::Var> stateVars = stages.state.args();
  Halide::Var i = stateVars[0], chunk = stateVars[1], q = stateVars[2];
  vectorizeQueries(stages.state.update(update).reorder(i, chunk, walk.tile), i,
                   vector);

  // Like the state, the per-tile functions cover one query tile and one
  // key tile, which Halide cannot prove where it peels the loop over tiles.
  Halide::LoopLevel tileLoop(stages.state, walk.tile);
  auto perTile = [&](Halide::Func &func) -> Halide::Func & {
    return func.compute_at(tileLoop).bound_extent(q, 1).bound_extent(
        func.args().back(), 1);
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
    vectorizeQueries(block, i, vector);
  };
  // Scores: blocks of `key_block` keys by the query tile, accumulated in
  // registers over the head dimension.
  Halide::Var j = walk.scores.args()[1];
  int keyBlock = getParameter(schedule, "key_block");
  Halide::Var keyBlocks("key_blocks"), keyInBlock("key_in_block");
  perTile(walk.scores)
      .split(j, keyBlocks, keyInBlock, keyBlock, shift)
      .reorder(i, keyInBlock, keyBlocks)
      .unroll(keyInBlock);
  vectorizeQueries(walk.scores, i, vector);
  perBlock(walk.scoreBlock, walk.scores, keyBlocks, j, keyBlock);
  vectorizeQueries(walk.scoreBlock.update().reorder(i, j, walk.dot), i, vector)
      .unroll(j);

  // The maximum and the sum of a tile reduce over its keys in independent
  // chains, which hide the latency of the vector operations.
  auto reduceOverKeys = [&](Halide::Func &reduction) {
    perTile(reduction);
    vectorizeQueries(reduction, i, vector);
    Halide::RVar keyStep("key_step"), chainKey("chain_key");
    Halide::Var chain("chain");
    Halide::Func chains =
        reduction.update()
            .split(walk.within, keyStep, chainKey, kReductionChains)
            .rfactor(chainKey, chain);
    reduction.update().reorder(i, chainKey);
    vectorizeQueries(reduction.update(), i, vector).unroll(chainKey);
    chains.compute_at(reduction, Halide::Var::outermost()).unroll(chain);
    vectorizeQueries(chains, i, vector);
    vectorizeQueries(chains.update().reorder(i, chain, keyStep), i, vector)
        .unroll(chain);
  };
  reduceOverKeys(walk.tileMax);
  perTile(walk.probabilities);
  vectorizeQueries(walk.probabilities, i, vector);
  reduceOverKeys(walk.tileSum);

  // Weighted values: blocks of `value_block` features by the query tile,
  // accumulated in registers over the keys of the tile.
  Halide::Var valueFeature = walk.tileValues.args()[1];
  int valueBlock = getParameter(schedule, "value_block");
  Halide::Var valueBlocks("value_blocks"), valueInBlock("value_in_block");
  perTile(walk.tileValues)
      .split(valueFeature, valueBlocks, valueInBlock, valueBlock, shift)
      .reorder(i, valueInBlock, valueBlocks)
      .unroll(valueInBlock);
  vectorizeQueries(walk.tileValues, i, vector);
  perBlock(walk.valueBlock, walk.tileValues, valueBlocks, valueFeature,
           valueBlock);
  vectorizeQueries(
      walk.valueBlock.update().reorder(i, valueFeature, walk.within), i, vector)
      .unroll(valueFeature);
}

} // namespace

const KernelGenerator &getAttentionGenerator() {
  static const AttentionGenerator generator;
  return generator;
}

} // namespace kiln
