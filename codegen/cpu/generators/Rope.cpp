//===- Rope.cpp - Kernels of rotary position embeddings -------------------===//
//
// `kiln.rope` on [batch, heads, seq, head_dim]. The cosines and sines of
// `s * f_i`, with the frequency `f_i = theta^(-2i/rotary_dim)` stretched as
// the op's scaling says, are computed in f64 (f32 angles drift by
// 1e-4 rad at a few thousand positions) once per call into a
// [seq, rotary_dim / 2] table shared by every batch and head, from the
// angles of blocks of positions and of the offsets within a block; the
// rotation itself is f32, a vector of pairs at a time, and each task
// rotates every head of a block of positions while the block's slice of
// the table stays in L1. Features from `rotary_dim` on pass through.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

#include "llvm/Support/MathExtras.h"

using namespace llvm;

namespace kiln {

namespace {

/// The rotation frequency of pair `pair` of `rotated` features in f64,
/// `theta^(-2 pair / rotated)`, stretched as the signature's `scaling` says
/// (see the description of kiln.rope).
Halide::Expr getFrequency(const KernelSignature &signature, Halide::Expr pair,
                          int rotated) {
  Halide::Expr frequency =
      Halide::pow(Halide::Expr(signature.getFloat("theta")),
                  Halide::Expr(-2.0 / rotated) * Halide::cast<double>(pair));
  if (!signature.hasAttr("scaling"))
    return frequency;
  // Halide has no operators on C++ doubles: the constants become f64 Exprs.
  Halide::Expr factor(signature.getFloat("factor"));
  Halide::Expr stretched = frequency / factor;
  if (signature.getString("scaling") == "linear")
    return stretched;
  Halide::Expr low(signature.getFloat("low_freq_factor"));
  Halide::Expr high(signature.getFloat("high_freq_factor"));
  Halide::Expr original(
      static_cast<double>(signature.getInt("original_max_positions")));
  Halide::Expr wavelength = Halide::Expr(2 * numbers::pi) / frequency;
  Halide::Expr isHighFrequency = wavelength < original / high;
  Halide::Expr isLowFrequency = wavelength > original / low;
  Halide::Expr weight = (original / wavelength - low) / (high - low);
  return Halide::select(isHighFrequency, frequency, isLowFrequency, stretched,
                        (1 - weight) * stretched + weight * frequency);
}

/// Positions per block of the cosine and sine table (see generate).
constexpr int kBlock = 32;

/// Generates the rotary-embedding kernels.
class RopeGenerator : public KernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.rope"};
    return names;
  }

  ScheduleSpace getScheduleSpace(const KernelSignature &signature,
                                 const Halide::Target &target) const override {
    ScheduleSpace space;
    addVectorParameter(space, target);
    addParallelParameter(space);
    // 64 positions of 32 pairs: 16 KiB of cosines and sines, in L1 while
    // every head of the block reads them.
    space.addParameter("positions_per_task",
                       "positions per task, for every head and feature",
                       {1, 4, 16, 64, 256}, 64);
    return space;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    KernelBuilder builder(signature, target);
    Halide::ImageParam input = builder.addOperand(0, "input");
    std::vector<Halide::Var> vars = makeVars(4, "d");
    Halide::Var feature = vars[0], position = vars[1];
    int rotated = static_cast<int>(signature.getInt("rotary_dim"));
    int numPairs = rotated / 2;
    bool isHalf = signature.getString("style") == "half";

    // The angle of position s is that of its block's first position plus
    // that of its offset in the block, so that the f64 cosines and sines
    // are taken seq / kBlock + kBlock times per pair rather than seq times,
    // and combined with the angle-sum identities.
    Halide::Var pair("pair"), block("block"), offset("offset");
    Halide::Func inverseFrequency("inverse_frequency");
    inverseFrequency(pair) = getFrequency(signature, pair, rotated);
    auto cosineAndSine = [&](Halide::Expr steps) {
      Halide::Expr angle = Halide::cast<double>(steps) * inverseFrequency(pair);
      return Halide::Tuple(Halide::cos(angle), Halide::sin(angle));
    };
    Halide::Func blockStart("block_start"), blockOffset("block_offset");
    blockStart(pair, block) = cosineAndSine(block * kBlock);
    blockOffset(pair, offset) = cosineAndSine(offset);
    Halide::Tuple start = blockStart(pair, position / kBlock);
    Halide::Tuple step = blockOffset(pair, position % kBlock);
    Halide::Func rotation("rotation");
    rotation(pair, position) = Halide::Tuple(
        Halide::cast<float>(start[0] * step[0] - start[1] * step[1]),
        Halide::cast<float>(start[1] * step[0] + start[0] * step[1]));

    // Each row of features is copied, then its rotated pairs overwritten:
    // one update per half of the pairs, over the pair index, so that every
    // access is a contiguous (half) or strided (interleaved) vector rather
    // than a gather. Features from `rotated` on keep the copy.
    Halide::Func rotatedRow("rotated_row");
    rotatedRow(vars) = input(vars);
    Halide::RDom pairs(0, numPairs, "pairs");
    Halide::Expr first = isHalf ? Halide::Expr(pairs) : 2 * pairs;
    Halide::Expr second = isHalf ? pairs + numPairs : 2 * pairs + 1;
    auto at = [&](Halide::Expr f) {
      return input(f, vars[1], vars[2], vars[3]);
    };
    Halide::Expr cosine = rotation(pairs, position)[0];
    Halide::Expr sine = rotation(pairs, position)[1];
    rotatedRow(first, vars[1], vars[2], vars[3]) =
        at(first) * cosine - at(second) * sine;
    rotatedRow(second, vars[1], vars[2], vars[3]) =
        at(second) * cosine + at(first) * sine;
    Halide::Func output("output");
    output(vars) = rotatedRow(vars);
    builder.addResult(0, output);

    if (isAutoscheduled(schedule))
      return builder.finish();
    // Tasks of a block of positions of one sequence, every head inside, so
    // that the block's slice of the table is read from L1 by every head.
    int vector = getParameter(schedule, "vector");
    auto guard = Halide::TailStrategy::GuardWithIf;
    Halide::Var head = vars[2], batch = vars[3];
    Halide::Var positionBlock("position_block"), row("row"), task("task");
    output
        .split(position, positionBlock, row,
               getParameter(schedule, "positions_per_task"), guard)
        .reorder(feature, row, head, positionBlock, batch)
        .fuse(positionBlock, batch, task)
        .vectorize(feature, vector, guard);
    if (schedule.get("parallel"))
      output.parallel(task);
    rotatedRow.compute_at(output, row).vectorize(feature, vector, guard);
    for (int update : {0, 1})
      rotatedRow.update(update).vectorize(pairs, vector, guard);
    inverseFrequency.compute_root();
    blockStart.compute_root();
    blockOffset.compute_root();
    // Eight f64 lanes per AVX-512 vector.
    rotation.compute_root().vectorize(pair, std::max(vector / 2, 1), guard);
    if (schedule.get("parallel"))
      rotation.parallel(position);
    return builder.finish();
  }
};

} // namespace

const KernelGenerator &getRopeGenerator() {
  static const RopeGenerator generator;
  return generator;
}

} // namespace kiln
