//===- Attention.cpp - Kernels of kiln.attention --------------------------===//
//
// Fused attention with an online softmax. Each task takes one tile of
// `query_tile` queries of one head and walks the keys in tiles of
// `key_tile`: for a key tile it computes the scaled scores (against a
// transposed copy of the key tile), applies the structural and padding
// masks, and reduces the tile to its maximum, its sum of exponentials and
// its exponential-weighted sum of values, all relative to the tile's own
// maximum. The running state (maximum, sum, accumulator) absorbs each tile
// by rescaling both sides to the larger maximum. Only [query_tile x
// key_tile] scores exist at any time; the [seq x seq] matrix never does.
//
// Grouped-query and multi-query attention read key/value head
// `h / (query_heads / kv_heads)` directly. Masked scores never become -inf:
// visibility is a boolean that selects zero probability and exponentials
// are clamped, so no infinity arises and the kernel keeps Halide's fast
// floating-point semantics; a query that sees no key ends with a zero sum
// and yields zeros. Key tiles that a causal mask
// hides entirely are still visited (their probabilities are all zero).
//
// Partial query and key tiles clamp their reads to the last query and key;
// the clamped lanes are masked or never stored.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

#include <limits>

using namespace llvm;

namespace kiln {

namespace {

/// The functions and reductions of the attention algorithm, which the
/// schedule places.
struct AttentionStages {
  Halide::Func output{"output"}, state{"state"}, keyTileT{"key_tile_t"},
      scores{"scores"}, tileMax{"tile_max"}, probabilities{"probabilities"},
      tileSum{"tile_sum"}, tileValues{"tile_values"};
  /// Over key tiles, over the head dimension, over the keys of one tile.
  Halide::RDom tile, dot, within;
};

/// Generates the fused attention kernels.
class AttentionGenerator : public KernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.attention"};
    return names;
  }

  ScheduleSpace getScheduleSpace(const KernelSignature &,
                                 const Halide::Target &target) const override {
    ScheduleSpace space;
    addVectorParameter(space, target);
    space.addParameter("query_tile", "queries per task", {1, 4, 8, 16, 32, 64},
                       16);
    space.addParameter("key_tile", "keys per step of the online softmax",
                       {8, 16, 32, 64, 128, 256}, 64);
    addParallelParameter(space);
    return space;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    KernelBuilder builder(signature, target);
    AttentionStages stages =
        defineAttention(signature, getParameter(schedule, "key_tile"), builder);
    builder.addResult(0, stages.output);
    scheduleAttention(stages, schedule);
    return builder.finish();
  }

private:
  /// The algorithm, with keys processed in tiles of `keyTile`.
  static AttentionStages defineAttention(const KernelSignature &signature,
                                         int keyTile, KernelBuilder &builder) {
    Halide::ImageParam query = builder.addOperand(0, "query");
    Halide::ImageParam key = builder.addOperand(1, "key");
    Halide::ImageParam value = builder.addOperand(2, "value");
    std::optional<Halide::ImageParam> keyPadding;
    if (signature.getInt("key_padding"))
      keyPadding = builder.addOperand(3, "key_padding");

    const std::vector<TensorPattern> &operands = signature.getOperands();
    int headDim = static_cast<int>(operands[0].dims[3]);
    int groupSize = static_cast<int>(operands[0].dims[1] / operands[1].dims[1]);
    float scale = static_cast<float>(signature.getFloat("scale"));
    StringRef mask = signature.getString("mask");
    Halide::Expr numQueries = query.dim(1).extent();
    Halide::Expr numKeys = key.dim(1).extent();

    // Variables: e value feature, d key feature, i query, j key within its
    // tile, t key tile, h query head, b batch.
    Halide::Var e("e"), d("d"), i("i"), j("j"), t("t"), h("h"), b("b");
    Halide::Expr kvHead = h / groupSize;
    auto keyIndex = [&](Halide::Expr within, Halide::Expr tile) {
      return tile * keyTile + within;
    };
    auto clampKey = [&](Halide::Expr index) {
      return Halide::min(index, numKeys - 1);
    };
    auto isVisible = [&](Halide::Expr keyAt, Halide::Expr queryAt) {
      Halide::Expr visible = keyAt < numKeys;
      // With more keys than queries, the queries are the latest positions.
      Halide::Expr position = queryAt + numKeys - numQueries;
      if (mask != "none")
        visible = visible && keyAt <= position;
      if (mask == "sliding_window")
        visible =
            visible &&
            position - keyAt <
                Halide::Expr(static_cast<int>(signature.getInt("window")));
      if (keyPadding)
        visible =
            visible && (*keyPadding)(clampKey(keyAt), b) !=
                           Halide::Internal::make_zero(keyPadding->type());
      return visible;
    };

    AttentionStages stages;
    stages.tile = Halide::RDom(0, (numKeys + keyTile - 1) / keyTile, "tile");
    stages.dot = Halide::RDom(0, headDim, "dot");
    stages.within = Halide::RDom(0, keyTile, "within");
    Halide::RDom &tile = stages.tile, &dot = stages.dot,
                 &within = stages.within;

    // The scaled scores of a key tile, against the tile transposed so that
    // they vectorise over keys.
    stages.keyTileT(j, d, h, b, t) =
        key(d, clampKey(keyIndex(j, t)), kvHead, b);
    Halide::Func &scores = stages.scores;
    scores(j, i, h, b, t) = 0.0f;
    scores(j, i, h, b, t) += query(dot, Halide::min(i, numQueries - 1), h, b) *
                             stages.keyTileT(j, dot, h, b, t);
    auto scaled = [&](Halide::Expr within) {
      return scores(within, i, h, b, t) * scale;
    };

    // Per key tile: the maximum, the exponentials relative to it, their sum
    // and the values they weight.
    const float lowest = std::numeric_limits<float>::lowest();
    Halide::Func &tileMax = stages.tileMax;
    tileMax(i, h, b, t) = lowest;
    tileMax(i, h, b, t) = Halide::max(
        tileMax(i, h, b, t), Halide::select(isVisible(keyIndex(within, t), i),
                                            scaled(within), lowest));
    Halide::Func &probabilities = stages.probabilities;
    probabilities(j, i, h, b, t) =
        Halide::select(isVisible(keyIndex(j, t), i),
                       expOfNonPositive(scaled(j) - tileMax(i, h, b, t)), 0.0f);
    stages.tileSum(i, h, b, t) = 0.0f;
    stages.tileSum(i, h, b, t) += probabilities(within, i, h, b, t);
    Halide::Func &tileValues = stages.tileValues;
    tileValues(e, i, h, b, t) = 0.0f;
    tileValues(e, i, h, b, t) +=
        probabilities(within, i, h, b, t) *
        value(e, clampKey(keyIndex(within, t)), kvHead, b);

    // The online softmax state (maximum, sum, accumulator), which absorbs
    // each key tile after rescaling both to the larger maximum.
    Halide::Func &state = stages.state;
    state(e, i, h, b) = Halide::Tuple(lowest, 0.0f, 0.0f);
    Halide::Expr oldMax = state(e, i, h, b)[0];
    Halide::Expr newMax = Halide::max(oldMax, tileMax(i, h, b, tile));
    Halide::Expr oldScale = expOfNonPositive(oldMax - newMax);
    Halide::Expr tileScale = expOfNonPositive(tileMax(i, h, b, tile) - newMax);
    state(e, i, h, b) =
        Halide::Tuple(newMax,
                      state(e, i, h, b)[1] * oldScale +
                          stages.tileSum(i, h, b, tile) * tileScale,
                      state(e, i, h, b)[2] * oldScale +
                          tileValues(e, i, h, b, tile) * tileScale);

    // A query that saw no key has a zero sum and yields zeros.
    Halide::Expr sum = state(e, i, h, b)[1];
    stages.output(e, i, h, b) =
        Halide::select(sum > 0.0f, state(e, i, h, b)[2] / sum, 0.0f);
    return stages;
  }

  /// One task per query tile of one head; every per-key-tile function is
  /// computed inside the state's loop over key tiles.
  static void scheduleAttention(AttentionStages &stages,
                                const Schedule &schedule) {
    int vector = getParameter(schedule, "vector");
    auto guard = Halide::TailStrategy::GuardWithIf;
    std::vector<Halide::Var> outputVars = stages.output.args();
    Halide::Var e = outputVars[0], i = outputVars[1], h = outputVars[2],
                b = outputVars[3];
    Halide::Var queryTile("query_tile"), queryInner("query_inner");
    Halide::Var task("task");
    stages.output
        .split(i, queryTile, queryInner, getParameter(schedule, "query_tile"),
               guard)
        .reorder(e, queryInner, queryTile, h, b)
        .fuse(queryTile, h, task)
        .fuse(task, b, task)
        .vectorize(e, vector, guard);
    if (schedule.get("parallel"))
      stages.output.parallel(task);

    stages.state.compute_at(stages.output, task).vectorize(e, vector, guard);
    stages.state.update()
        .reorder(e, i, stages.tile)
        .vectorize(e, vector, guard);
    Halide::Var j = stages.scores.args()[0];
    auto perTile = [&](Halide::Func func) {
      return func.compute_at(stages.state, stages.tile);
    };
    perTile(stages.keyTileT).vectorize(j, vector, guard);
    perTile(stages.scores).vectorize(j, vector, guard);
    stages.scores.update()
        .reorder(j, i, stages.dot)
        .vectorize(j, vector, guard);
    perTile(stages.tileMax);
    perTile(stages.probabilities).vectorize(j, vector, guard);
    perTile(stages.tileSum);
    perTile(stages.tileValues).vectorize(e, vector, guard);
    stages.tileValues.update()
        .reorder(e, i, stages.within)
        .vectorize(e, vector, guard);
  }
};

} // namespace

const KernelGenerator &getAttentionGenerator() {
  static const AttentionGenerator generator;
  return generator;
}

} // namespace kiln
