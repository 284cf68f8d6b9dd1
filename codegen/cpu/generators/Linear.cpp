//===- Linear.cpp - Kernels of kiln.linear and kiln.matmul ----------------===//
//
// Both ops are one contraction, `acc[.., m, n] = sum_k lhs[.., m, k] *
// rhs[.., k, n]`, followed for `kiln.linear` by its epilogue
// `activation(acc + bias) + residual` applied as each output tile is
// stored.
//
// A linear layer whose weight is a model weight reads it pre-packed into
// panels of `panel_width` output features (runtime/src/WeightPacking.h),
// so that the features of one register tile are contiguous for every
// input feature. Each task computes one panel for a block of rows: for each
// block of `k_block` input features (whose slice of the panel stays in
// L1), every `tile_rows x panel_width` register tile of the block is
// accumulated from the panel's vectors and the rows' broadcast inputs;
// then the epilogue stores the block. Where input rows sit a multiple of
// 4 KiB apart, each register tile's rows are first copied together
// (`pack_input`), as they would otherwise share one L1 set. Register tiles
// round the rows up and read clamped input rows, which are never stored;
// inputs with fewer rows than a tile (decoding) take a row-at-a-time path
// instead. While the tiles of a block compute, each also prefetches its
// share of the panel's next block (WeightPrefetch.h), which would
// otherwise arrive from memory only as the next block's first tile asks
// for it.
//
// On AMX targets (schedule parameter `amx`), the weight is packed into the
// bf16 pieces of KILN_PACKED_BF16X3_TILES instead, the input is split into
// its pieces once per call, and each task's block of rows of its panel is
// the extern stage `kiln_amx_linear` of the runtime, which multiplies on
// the tiles at f32 accuracy (runtime/src/AmxLinear.cpp), whatever the
// number of rows.
//
// Other contractions (matmuls, linears of computed weights) tile the output
// into `tile_rows x tile_cols` blocks accumulated in registers, pack the rhs
// columns of each column tile contiguously once per task (`pack_rhs`) and
// run column tiles (times the batch) as parallel tasks. Their reads are
// clamped to the last row and column so that the register tiles may round
// partial tiles up; the clamped lanes are never stored.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Target.h"
#include "codegen/cpu/generators/AmxOperands.h"
#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"
#include "codegen/cpu/generators/WeightPrefetch.h"

#include <functional>
#include <optional>

using namespace llvm;

namespace kiln {

namespace {

/// The operands of a contraction as functions of (k, m) and (n, k), with
/// the batch indices of the output's outer dimensions.
struct Contraction {
  /// The number of rows m, columns n and the contraction length k.
  Halide::Expr rows, cols, depth;
  /// lhs at (k, m, batch...).
  std::function<Halide::Expr(Halide::Expr, Halide::Expr,
                             const std::vector<Halide::Expr> &)>
      lhs;
  /// rhs at (n, k, batch...).
  std::function<Halide::Expr(Halide::Expr, Halide::Expr,
                             const std::vector<Halide::Expr> &)>
      rhs;
  /// Whether rhs depends on the batch indices (matmul) or not (linear).
  bool isBatchedRhs;
};

/// Generates the contraction kernels.
class LinearGenerator : public KernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.linear", "kiln.matmul"};
    return names;
  }

  ScheduleSpace getScheduleSpace(const KernelSignature &signature,
                                 const Halide::Target &target) const override {
    if (isPackedLinear(signature))
      return getPackedScheduleSpace(signature, target);
    ScheduleSpace space;
    addVectorParameter(space, target);
    int lanes = getNativeFloatLanes(target);
    space.addParameter("tile_cols", "output columns per register tile",
                       {4, 8, 16, 32, 48, 64, 128}, 2 * lanes);
    // AVX-512 has 32 vector registers, the others 16.
    space.addParameter("tile_rows", "output rows per register tile",
                       {1, 2, 4, 6, 8, 12, 16}, lanes >= 16 ? 8 : 4);
    space.addParameter("unroll_k", "unrolling of the contraction loop",
                       {1, 2, 4, 8}, 1);
    // Contiguous rhs columns need no packing.
    bool isContiguousRhs =
        signature.getOpKind() == "matmul" && !signature.getInt("transpose_rhs");
    space.addParameter("pack_rhs",
                       "copy each column tile of rhs contiguously first",
                       {0, 1}, isContiguousRhs ? 0 : 1);
    addParallelParameter(space);
    space.addConstraint(
        "tile_cols is a multiple of vector", [](const Schedule &schedule) {
          return schedule.get("tile_cols") % schedule.get("vector") == 0;
        });
    return space;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    if (isPackedLinear(signature))
      return schedule.get("amx") && signature.getResults()[0].getRank() > 1
                 ? generateAmx(signature, schedule, target)
                 : generatePacked(signature, schedule, target);
    KernelBuilder builder(signature, target);
    unsigned rank = signature.getResults()[0].getRank();
    std::vector<Halide::Var> vars = makeVars(rank, "d");
    Halide::Func output("output");
    Halide::Func accumulator("accumulator");
    Halide::Func panel("rhs_panel");
    Contraction contraction = signature.getOpKind() == "linear"
                                  ? defineLinearOperands(signature, builder)
                                  : defineMatmulOperands(signature, builder);

    // The batch indices: every output dimension outside (m, n).
    std::vector<Halide::Expr> batch =
        rank > 2 ? toExprs(ArrayRef(vars).drop_front(2))
                 : std::vector<Halide::Expr>();
    std::vector<Halide::Var> panelVars = {vars[0], Halide::Var("k")};
    if (contraction.isBatchedRhs)
      llvm::append_range(panelVars, ArrayRef(vars).drop_front(2));
    std::vector<Halide::Expr> panelBatch =
        contraction.isBatchedRhs ? batch : std::vector<Halide::Expr>();
    panel(panelVars) =
        contraction.rhs(Halide::min(panelVars[0], contraction.cols - 1),
                        panelVars[1], panelBatch);

    Halide::RDom k(0, contraction.depth, "k_reduce");
    Halide::Expr row =
        rank > 1 ? Halide::min(vars[1], contraction.rows - 1) : Halide::Expr();
    std::vector<Halide::Expr> panelAt = {vars[0], k};
    llvm::append_range(panelAt, panelBatch);
    accumulator(vars) = 0.0f;
    accumulator(vars) += contraction.lhs(k, row, batch) * panel(panelAt);

    output(vars) =
        signature.getOpKind() == "linear"
            ? applyEpilogue(signature, builder, accumulator(vars), vars)
            : accumulator(vars);
    builder.addResult(0, output);
    if (isAutoscheduled(schedule))
      return builder.finish();
    scheduleContraction(output, accumulator, panel, k, vars, schedule);
    return builder.finish();
  }

private:
  /// Whether `signature` is a linear layer whose weight is pre-packed.
  static bool isPackedLinear(const KernelSignature &signature) {
    return signature.getOpKind() == "linear" &&
           signature.getInt("packed_weight");
  }

  /// The input features of a packed linear layer: the weight's dimension 1,
  /// or 0 for signatures without a [out, in] weight operand (as schedule
  /// tests build them).
  static int64_t getPackedDepth(const KernelSignature &signature) {
    const std::vector<TensorPattern> &operands = signature.getOperands();
    return operands.size() > 1 && operands[1].getRank() == 2
               ? operands[1].dims[1]
               : 0;
  }

  /// The schedules of a linear layer with a packed weight.
  static ScheduleSpace getPackedScheduleSpace(const KernelSignature &signature,
                                              const Halide::Target &target) {
    ScheduleSpace space;
    addVectorParameter(space, target);
    int lanes = getNativeFloatLanes(target);
    // AVX-512 has 32 vector registers: 6 rows of 4 vectors accumulate in 24
    // of them; the others have 16: 6 rows of 2 vectors. On AMX, a task's
    // panel is 4 blocks of 32 features, which read each block of the
    // input's pieces 4 times from L2: on [512x3072]x[3072x768] (2 threads),
    // 473 GFLOP/s against 445 with panels of 64.
    bool hasAmx = hasAmxTiles(target);
    int registers = lanes >= 16 ? 32 : 16;
    space.addParameter("panel_width",
                       "output features per packed weight panel and register "
                       "tile (with amx: per task)",
                       {8, 16, 24, 32, 48, 64, 96, 128},
                       hasAmx        ? 128
                       : lanes >= 16 ? 4 * lanes
                                     : 2 * lanes);
    space.addParameter("tile_rows", "rows per register tile",
                       {1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16}, 6);
    // Large blocks stream each panel of the weight from memory fewer
    // times: on GPT-2 small (seq 128, one thread), one block of all 22
    // tiles instead of blocks of 16 and 6 saved 12% of the forward pass.
    space.addParameter("max_row_tiles_per_task",
                       "most register tiles of rows per parallel task; the "
                       "rows are split into blocks of equal size",
                       {1, 2, 4, 8, 16, 32, 64, 128}, 32);
    space.addParameter("k_block",
                       "input features per block of the contraction, whose "
                       "slice of the weight panel stays in L1",
                       {32, 64, 128, 192, 256, 512, 1024, 4096}, 128);
    // Input rows whose stride is a multiple of 4 KiB all fall into one set
    // of the L1 cache, where the rows of a register tile evict each other
    // and the weight block: on [512x3072]x[3072x768], packing them took
    // the kernel from 136 to 151 GFLOP/s (one thread); on K = 768 it cost
    // about 1%.
    int64_t depth = getPackedDepth(signature);
    bool isPageStride = depth > 0 && depth * sizeof(float) % 4096 == 0;
    space.addParameter("pack_input",
                       "1: copy each register tile's input rows contiguously "
                       "once per call",
                       {0, 1}, isPageStride ? 1 : 0);
    space.addParameter("prefetch",
                       "1: the register tiles of a block of the contraction "
                       "prefetch the next block's weights between them",
                       {0, 1}, 1);
    // Where the CPU has AMX tiles, the f32 products run on them as six
    // bf16 products (runtime/src/AmxLinear.cpp), for inputs of any number
    // of rows: below 16 they are mostly padding, but the products cost less
    // than the row-at-a-time path would reading the weight's pieces.
    space.addParameter("amx",
                       "1: multiply on AMX tiles, in blocks of 32 rows; "
                       "tile_rows, max_row_tiles_per_task, k_block, pack_input "
                       "and prefetch then do not apply",
                       hasAmx ? std::vector<int64_t>{0, 1}
                              : std::vector<int64_t>{0},
                       hasAmx ? 1 : 0);
    // A task's chunk of the input's pieces, 6 bytes per feature and row,
    // stays in L2 while the task walks its panel, but each task reads its
    // panel's weights again, from memory in models: on [512x768]x[768x3072]
    // (one thread), tasks of 512 rows ran at 220 GFLOP/s, of 256 at 252,
    // of 128 at 251 and of 64 at 222; GPT-2 small at seq 512 (2 threads)
    // took 311, 314 and 331 ms with 512, 256 and 128 rows.
    space.addParameter("amx_rows_per_task",
                       "with amx, most rows per parallel task; the rows are "
                       "split into blocks of equal size",
                       {32, 64, 128, 256, 512, 1024}, 256);
    addParallelParameter(space);
    space.addConstraint(
        "panel_width is a multiple of vector", [](const Schedule &schedule) {
          return schedule.get("panel_width") % schedule.get("vector") == 0;
        });
    space.addConstraint(
        "without amx, the register tile, one vector of weights per column "
        "vector and the broadcast input fit in the " +
            std::to_string(registers) + " vector registers",
        [registers](const Schedule &schedule) {
          int64_t vectors =
              schedule.get("panel_width") / schedule.get("vector");
          return schedule.get("amx") ||
                 vectors * (schedule.get("tile_rows") + 1) + 1 <= registers;
        });
    space.addConstraint("amx needs a panel_width that is a multiple of 32",
                        [](const Schedule &schedule) {
                          return !schedule.get("amx") ||
                                 schedule.get("panel_width") % 32 == 0;
                        });
    // The autoschedulers cannot place the AMX kernel's extern stage.
    space.addConstraint(
        "amx kernels keep the generator's schedule (autoscheduler 0)",
        [](const Schedule &schedule) {
          return !schedule.get("amx") ||
                 !schedule.contains(kAutoschedulerParameter) ||
                 schedule.get(kAutoschedulerParameter) == 0;
        });
    return space;
  }

  /// Generates a linear layer that reads its weight packed.
  static Expected<GeneratedKernel>
  generatePacked(const KernelSignature &signature, const Schedule &schedule,
                 const Halide::Target &target) {
    int panelWidth = getParameter(schedule, "panel_width");
    int tileRows = getParameter(schedule, "tile_rows");
    KernelBuilder builder(signature, target);
    Halide::ImageParam input = builder.addOperand(0, "input");
    Halide::ImageParam weight = builder.addPackedWeightOperand(
        1, "weight", panelWidth, KILN_PACKED_F32_PANELS);
    unsigned rank = signature.getResults()[0].getRank();
    std::vector<Halide::Var> vars = makeVars(rank, "d");
    bool hasRows = rank > 1;
    Halide::Expr rows = hasRows ? input.dim(1).extent() : Halide::Expr(1);
    std::vector<Halide::Expr> batch =
        rank > 2 ? toExprs(ArrayRef(vars).drop_front(2))
                 : std::vector<Halide::Expr>();

    // accumulator(lane, row, panel, batch...): output feature panel *
    // panelWidth + lane of the row, summed over the input features.
    Halide::Var lane("lane"), panel("panel");
    Halide::Var row = hasRows ? vars[1] : Halide::Var("row");
    std::vector<Halide::Var> accVars = {lane, row, panel};
    llvm::append_range(accVars, ArrayRef(vars).drop_front(hasRows ? 2 : 1));
    Halide::RDom k(0, weight.dim(1).extent(), "k_reduce");
    std::vector<Halide::Expr> inputAt = {k};
    // Clamped: register tiles round the rows up (see schedulePacked).
    if (hasRows)
      inputAt.push_back(Halide::min(row, rows - 1));
    llvm::append_range(inputAt, ArrayRef(accVars).drop_front(3));
    // Two accumulators of the same sum, one scheduled for full register
    // tiles of rows and one row at a time; the output specialises on the
    // row count to use one of them.
    Halide::Func tiled("accumulator"), rowwise("row_accumulator");
    Halide::Expr tiledInput = input(inputAt);
    std::optional<Halide::Func> packedInput;
    if (hasRows && schedule.get("pack_input")) {
      packedInput = packInputTiles(input, rows, tileRows, rank);
      std::vector<Halide::Expr> packedAt = {row % tileRows, k, row / tileRows};
      llvm::append_range(packedAt, ArrayRef(accVars).drop_front(3));
      tiledInput = (*packedInput)(packedAt);
    }
    Halide::Expr weightAt = weight(lane, k, panel);
    for (auto [accumulator, lhs] :
         {std::pair(tiled, tiledInput), std::pair(rowwise, input(inputAt))}) {
      accumulator(accVars) = 0.0f;
      accumulator(accVars) += lhs * weightAt;
    }
    Halide::Expr isTiled = rows >= tileRows;
    auto accumulatorAt = [&](ArrayRef<Halide::Var> at) {
      std::vector<Halide::Expr> index = {at[0] % panelWidth,
                                         hasRows ? Halide::Expr(at[1]) : 0,
                                         at[0] / panelWidth};
      llvm::append_range(index, ArrayRef(at).drop_front(hasRows ? 2 : 1));
      return Halide::select(isTiled, tiled(index), rowwise(index));
    };
    Halide::Func output("output");
    output(vars) = applyEpilogue(signature, builder, accumulatorAt(vars), vars);
    builder.addResult(0, output);
    if (isAutoscheduled(schedule))
      return builder.finish();
    schedulePacked(output, tiled, rowwise, isTiled, k, vars, accVars, schedule);
    if (packedInput)
      schedulePackedInput(*packedInput, schedule);
    GeneratedKernel kernel = builder.finish();
    // The last block of a panel has no next block to fetch.
    int64_t depth = getPackedDepth(signature);
    int kBlock = getParameter(schedule, "k_block");
    if (schedule.get("prefetch") && depth > kBlock)
      addNextWeightBlockPrefetch(kernel.pipeline, tiled.name(), weight.name(),
                                 kBlock,
                                 int64_t(kBlock) * panelWidth * sizeof(float));
    return kernel;
  }

  /// Generates a linear layer that multiplies on AMX tiles: the input is
  /// split into bf16 pieces once per call, and each task's block of rows of
  /// its panel is the runtime's `kiln_amx_linear` (see the file comment).
  static Expected<GeneratedKernel> generateAmx(const KernelSignature &signature,
                                               const Schedule &schedule,
                                               const Halide::Target &target) {
    int panelWidth = getParameter(schedule, "panel_width");
    KernelBuilder builder(signature, target);
    Halide::ImageParam input = builder.addOperand(0, "input");
    Halide::ImageParam weight = builder.addPackedWeightOperand(
        1, "weight", panelWidth, KILN_PACKED_BF16X3_TILES);
    int64_t depth = getPackedDepth(signature);
    unsigned rank = signature.getResults()[0].getRank();
    std::vector<Halide::Var> vars = makeVars(rank, "d");

    // accumulator(lane, row, panel, batch...), as in generatePacked.
    std::vector<Halide::Var> accVars = {Halide::Var("lane"), vars[1],
                                        Halide::Var("panel")};
    llvm::append_range(accVars, ArrayRef(vars).drop_front(2));
    AmxOperand pieces = splitInputPieces(input, input.dim(1).extent(), depth);
    Halide::Func accumulator("amx_accumulator");
    accumulator.define_extern(
        kAmxLinearFunction,
        {pieces.tiles, weight, Halide::Expr(static_cast<int32_t>(depth))},
        Halide::Float(32), accVars);
    std::vector<Halide::Expr> accumulatorAt = {vars[0] % panelWidth, vars[1],
                                               vars[0] / panelWidth};
    llvm::append_range(accumulatorAt, ArrayRef(vars).drop_front(2));
    Halide::Func output("output");
    output(vars) =
        applyEpilogue(signature, builder, accumulator(accumulatorAt), vars);
    builder.addResult(0, output);
    if (isAutoscheduled(schedule))
      return builder.finish();
    Halide::Expr blockRows = getBalancedBlockRows(
        output.output_buffer().dim(1).extent(), kAmxBlockRows,
        getParameter(schedule, "amx_rows_per_task") / kAmxBlockRows);
    Halide::Var task = tileIntoTasks(output, vars, blockRows, schedule);
    accumulator.compute_at(output, task);
    scheduleAmxOperand(pieces, schedule);
    return builder.finish();
  }

  /// The input [..., M, K] of a linear layer copied into register tiles:
  /// `packed(r, k, t, batch...)` is row `t * tileRows + r` (clamped to the
  /// last row), so that the rows a register tile broadcasts at each k are
  /// adjacent and a block of the contraction reads one contiguous stream.
  /// Rows read in place sit a row's stride apart; at strides that are
  /// multiples of 4 KiB they all compete for one set of the L1 cache.
  static Halide::Func packInputTiles(Halide::ImageParam input,
                                     Halide::Expr rows, int tileRows,
                                     unsigned rank) {
    std::vector<Halide::Var> vars = {Halide::Var("row_in_tile"),
                                     Halide::Var("k"), Halide::Var("tile")};
    llvm::append_range(vars, makeVars(rank - 2, "batch"));
    std::vector<Halide::Expr> inputAt = {
        vars[1], Halide::min(vars[2] * tileRows + vars[0], rows - 1)};
    llvm::append_range(inputAt, ArrayRef(vars).drop_front(3));
    Halide::Func packed("packed_input");
    packed(vars) = input(inputAt);
    return packed;
  }

  /// The input [..., M, K] split for AMX, as the first operand of
  /// runtime/src/AmxLinear.cpp: rows clamped to the last row, and 0 past
  /// the last feature, where the runtime pads the contraction to whole
  /// tiles.
  static AmxOperand splitInputPieces(Halide::ImageParam input,
                                     Halide::Expr rows, int64_t depth) {
    int lastFeature = static_cast<int>(depth) - 1;
    return splitIntoRowTiles(
        "input_pieces",
        [&](const Halide::Expr &row, const Halide::Expr &feature,
            ArrayRef<Halide::Var> batch) {
          std::vector<Halide::Expr> inputAt = {
              Halide::min(feature, lastFeature), Halide::min(row, rows - 1)};
          append_range(inputAt, batch);
          return Halide::select(feature <= lastFeature, input(inputAt), 0.0f);
        },
        input.dimensions() - 2);
  }

  /// Packs the input once per call, before the tasks, with the rows of a
  /// tile unrolled so that their stores interleave into whole vectors.
  static void schedulePackedInput(Halide::Func packed,
                                  const Schedule &schedule) {
    std::vector<Halide::Var> vars = packed.args();
    packed.compute_root()
        .bound(vars[0], 0, getParameter(schedule, "tile_rows"))
        .unroll(vars[0])
        .vectorize(vars[1], getParameter(schedule, "vector"),
                   Halide::TailStrategy::GuardWithIf);
    fuseIntoParallelTask(packed, vars[2], ArrayRef(vars).drop_front(3),
                         schedule);
  }

  /// The rows per task: whole register tiles of `tileRows`, as few blocks
  /// of at most `maxTilesPerTask` tiles as cover `rows`, all of one size
  /// (so that no task gets a sliver of a block).
  static Halide::Expr getBalancedBlockRows(Halide::Expr rows, int tileRows,
                                           int maxTilesPerTask) {
    auto ceilDiv = [](Halide::Expr a, Halide::Expr b) {
      return (a + b - 1) / b;
    };
    Halide::Expr tiles = ceilDiv(Halide::max(rows, 1), tileRows);
    Halide::Expr blocks = ceilDiv(tiles, maxTilesPerTask);
    return ceilDiv(tiles, blocks) * tileRows;
  }

  /// Splits the output stage `stage` into tasks of one panel of
  /// `panel_width` features for a block of `blockRows` rows (or the whole
  /// row of a rank-1 output) and one batch index, with the panel's
  /// features vectorised, and returns the task loop, parallel where the
  /// schedule asks.
  static Halide::Var tileIntoTasks(Halide::Stage stage,
                                   ArrayRef<Halide::Var> vars,
                                   Halide::Expr blockRows,
                                   const Schedule &schedule) {
    auto guard = Halide::TailStrategy::GuardWithIf;
    bool hasRows = vars.size() > 1;
    Halide::Var panelOuter("panel_outer"), laneInner("lane_inner");
    Halide::Var task = panelOuter;
    stage.split(vars[0], panelOuter, laneInner,
                getParameter(schedule, "panel_width"), guard);
    if (hasRows) {
      Halide::Var rowBlock("row_block"), rowInner("row_inner");
      stage.split(vars[1], rowBlock, rowInner, blockRows, guard)
          .reorder(laneInner, rowInner, panelOuter, rowBlock);
      task = Halide::Var("panel_row_block");
      stage.fuse(panelOuter, rowBlock, task);
    }
    stage.vectorize(laneInner, getParameter(schedule, "vector"), guard);
    return fuseIntoParallelTask(stage, task, vars.drop_front(hasRows ? 2 : 1),
                                schedule);
  }

  /// Per task, one panel for a block of rows, accumulated in register
  /// tiles of `tileRows` rows (or one row when there are fewer) over blocks
  /// of the contraction whose slice of the panel stays in L1; then the
  /// epilogue stores the block.
  static void schedulePacked(Halide::Func output, Halide::Func tiled,
                             Halide::Func rowwise, Halide::Expr isTiled,
                             Halide::RDom k, ArrayRef<Halide::Var> vars,
                             ArrayRef<Halide::Var> accVars,
                             const Schedule &schedule) {
    int vector = getParameter(schedule, "vector");
    int panelWidth = getParameter(schedule, "panel_width");
    int tileRows = getParameter(schedule, "tile_rows");
    int maxTilesPerTask = getParameter(schedule, "max_row_tiles_per_task");
    int kBlock = getParameter(schedule, "k_block");
    bool hasRows = vars.size() > 1;
    auto guard = Halide::TailStrategy::GuardWithIf;

    // The output: tasks of (panel, block of rows, batch index); the same
    // loops in both specialisations, which differ in their accumulator.
    Halide::Expr blockRows =
        hasRows ? getBalancedBlockRows(output.output_buffer().dim(1).extent(),
                                       tileRows, maxTilesPerTask)
                : Halide::Expr();
    tileIntoTasks(output.specialize(isTiled), vars, blockRows, schedule);
    Halide::Var task = tileIntoTasks(output, vars, blockRows, schedule);

    // The accumulators of a task: the panel's vectors and the register
    // tile's rows unrolled inside a block of the contraction. Rounding the
    // rows up to whole register tiles reads clamped input rows.
    Halide::Var lane = accVars[0], row = accVars[1];
    for (auto [accumulator, rowsPerTile] :
         {std::pair(tiled, tileRows), std::pair(rowwise, 1)}) {
      accumulator.compute_at(output, task)
          .bound(lane, 0, panelWidth)
          .vectorize(lane, vector);
      Halide::Var vectorOuter("vector_outer"), vectorInner("vector_inner");
      Halide::Var rowTile("row_tile"), rowInTile("row_in_tile");
      Halide::RVar kOuter("k_outer"), kInner("k_inner");
      Halide::Stage update = accumulator.update();
      update.split(lane, vectorOuter, vectorInner, vector)
          .vectorize(vectorInner)
          .unroll(vectorOuter)
          .split(row, rowTile, rowInTile, rowsPerTile,
                 Halide::TailStrategy::RoundUp)
          .split(k, kOuter, kInner, kBlock, guard)
          .reorder(vectorInner, vectorOuter, rowInTile, kInner, rowTile, kOuter)
          .unroll(rowInTile);
    }
  }

  /// The input [..., K] and weight [N, K] of `kiln.linear`.
  static Contraction defineLinearOperands(const KernelSignature &signature,
                                          KernelBuilder &builder) {
    Halide::ImageParam input = builder.addOperand(0, "input");
    Halide::ImageParam weight = builder.addOperand(1, "weight");
    unsigned rank = signature.getOperands()[0].getRank();
    Contraction contraction;
    contraction.rows = rank > 1 ? input.dim(1).extent() : Halide::Expr(1);
    contraction.cols = weight.dim(1).extent();
    contraction.depth = weight.dim(0).extent();
    contraction.lhs = [input, rank](Halide::Expr k, Halide::Expr m,
                                    const std::vector<Halide::Expr> &batch) {
      std::vector<Halide::Expr> index = {k};
      if (rank > 1)
        index.push_back(m);
      llvm::append_range(index, batch);
      return input(index);
    };
    contraction.rhs = [weight](Halide::Expr n, Halide::Expr k,
                               const std::vector<Halide::Expr> &) {
      return weight(k, n);
    };
    contraction.isBatchedRhs = false;
    return contraction;
  }

  /// The lhs [..., M, K] and rhs [..., K, N] of `kiln.matmul`, each possibly
  /// stored transposed.
  static Contraction defineMatmulOperands(const KernelSignature &signature,
                                          KernelBuilder &builder) {
    Halide::ImageParam lhs = builder.addOperand(0, "lhs");
    Halide::ImageParam rhs = builder.addOperand(1, "rhs");
    bool transposeLhs = signature.getInt("transpose_lhs");
    bool transposeRhs = signature.getInt("transpose_rhs");
    Contraction contraction;
    contraction.rows = lhs.dim(transposeLhs ? 0 : 1).extent();
    contraction.depth = lhs.dim(transposeLhs ? 1 : 0).extent();
    contraction.cols = rhs.dim(transposeRhs ? 1 : 0).extent();
    contraction.lhs = [lhs,
                       transposeLhs](Halide::Expr k, Halide::Expr m,
                                     const std::vector<Halide::Expr> &batch) {
      std::vector<Halide::Expr> index = transposeLhs
                                            ? std::vector<Halide::Expr>{m, k}
                                            : std::vector<Halide::Expr>{k, m};
      llvm::append_range(index, batch);
      return lhs(index);
    };
    contraction.rhs = [rhs,
                       transposeRhs](Halide::Expr n, Halide::Expr k,
                                     const std::vector<Halide::Expr> &batch) {
      std::vector<Halide::Expr> index = transposeRhs
                                            ? std::vector<Halide::Expr>{k, n}
                                            : std::vector<Halide::Expr>{n, k};
      llvm::append_range(index, batch);
      return rhs(index);
    };
    contraction.isBatchedRhs = true;
    return contraction;
  }

  /// `activation(sum + bias) + residual` of `kiln.linear` at `vars`.
  static Halide::Expr applyEpilogue(const KernelSignature &signature,
                                    KernelBuilder &builder, Halide::Expr sum,
                                    ArrayRef<Halide::Var> vars) {
    Halide::Expr value = sum;
    unsigned next = 2;
    if (signature.getInt("bias")) {
      Halide::ImageParam bias = builder.addOperand(next++, "bias");
      value += bias(vars[0]);
    }
    StringRef activation = signature.getString("activation");
    if (activation != "none")
      value = applyActivation(activation, value);
    if (signature.getInt("residual")) {
      Halide::ImageParam residual = builder.addOperand(next++, "residual");
      value += residual(vars);
    }
    return value;
  }

  /// Register tiles of `accumulator` inside output tiles, packed rhs
  /// panels per task, column tiles (and batch) in parallel.
  static void scheduleContraction(Halide::Func output, Halide::Func accumulator,
                                  Halide::Func panel, Halide::RDom k,
                                  ArrayRef<Halide::Var> vars,
                                  const Schedule &schedule) {
    int vector = getParameter(schedule, "vector");
    int tileCols = getParameter(schedule, "tile_cols");
    int tileRows = getParameter(schedule, "tile_rows");
    auto guard = Halide::TailStrategy::GuardWithIf;
    auto roundUp = Halide::TailStrategy::RoundUp;
    Halide::Var col = vars[0];
    Halide::Var colTile("col_tile"), colInner("col_inner");
    Halide::Var rowTile("row_tile"), rowInner("row_inner");
    bool hasRows = vars.size() > 1;

    // Output: tasks of one column tile (and batch index); row tiles inside.
    Halide::LoopLevel tileLoop;
    if (hasRows) {
      output.tile(col, vars[1], colTile, rowTile, colInner, rowInner, tileCols,
                  tileRows, guard);
      output.reorder(colInner, rowInner, rowTile, colTile);
      tileLoop = Halide::LoopLevel(output, rowTile);
    } else {
      output.split(col, colTile, colInner, tileCols, guard);
      tileLoop = Halide::LoopLevel(output, colTile);
    }
    output.vectorize(colInner, vector, guard);
    Halide::Var task = fuseIntoParallelTask(
        output, colTile, vars.drop_front(hasRows ? 2 : 1), schedule);

    // The accumulator: one register tile per output tile.
    accumulator.compute_at(tileLoop).vectorize(col, vector, roundUp);
    Halide::Stage update = accumulator.update();
    Halide::Var vectorOuter("vector_outer"), vectorInner("vector_inner");
    update.split(col, vectorOuter, vectorInner, vector, roundUp)
        .vectorize(vectorInner)
        .unroll(vectorOuter);
    if (hasRows) {
      update.reorder(vectorInner, vectorOuter, vars[1], k).unroll(vars[1]);
    } else {
      update.reorder(vectorInner, vectorOuter, k);
    }
    if (int unrollK = getParameter(schedule, "unroll_k"); unrollK > 1) {
      Halide::RVar kOuter("k_outer"), kInner("k_inner");
      update.split(k, kOuter, kInner, unrollK, guard).unroll(kInner);
    }

    // The rhs panel: the tile's columns for every k, once per task.
    if (schedule.get("pack_rhs"))
      panel.compute_at(output, task).vectorize(col, vector, roundUp);
  }
};

} // namespace

const KernelGenerator &getLinearGenerator() {
  static const LinearGenerator generator;
  return generator;
}

} // namespace kiln
