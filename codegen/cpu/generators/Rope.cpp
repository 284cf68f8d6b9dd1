//===- Rope.cpp - Kernels of rotary position embeddings -------------------===//
//
// `kiln.rope` on [batch, heads, seq, head_dim]. The cosines and sines of
// `s * f_i`, with the frequency `f_i = theta^(-2i/rotary_dim)` stretched as
// the op's scaling says, are computed in f64 (f32 angles drift by
// 1e-4 rad at a few thousand positions) once per call into a
// [seq, rotary_dim / 2] table shared by every batch and head; the rotation
// itself is f32. Features from `rotary_dim` on pass through.
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

/// Generates the rotary-embedding kernels.
class RopeGenerator : public PointwiseKernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.rope"};
    return names;
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

    Halide::Var pair("pair");
    Halide::Func inverseFrequency("inverse_frequency");
    inverseFrequency(pair) = getFrequency(signature, pair, rotated);
    Halide::Expr angle =
        Halide::cast<double>(position) * inverseFrequency(pair);
    Halide::Func rotation("rotation");
    rotation(pair, position) =
        Halide::Tuple(Halide::cast<float>(Halide::cos(angle)),
                      Halide::cast<float>(Halide::sin(angle)));

    // Feature `first` of pair `index` rotates with feature `second`. Past
    // `rotated` features pass through; clamping their pair index keeps the
    // (unused) reads of the table and of the partner feature in bounds.
    Halide::Expr isFirst =
        isHalf ? Halide::Expr(feature < numPairs) : feature % 2 == 0;
    Halide::Expr index = Halide::clamp(
        isHalf ? Halide::select(isFirst, feature, feature - numPairs)
               : feature / 2,
        0, numPairs - 1);
    Halide::Expr first = isHalf ? index : 2 * index;
    Halide::Expr second = isHalf ? index + numPairs : 2 * index + 1;
    auto at = [&](Halide::Expr f) {
      return input(f, vars[1], vars[2], vars[3]);
    };
    Halide::Expr cosine = rotation(index, position)[0];
    Halide::Expr sine = rotation(index, position)[1];
    Halide::Expr rotatedValue =
        Halide::select(isFirst, at(first) * cosine - at(second) * sine,
                       at(second) * cosine + at(first) * sine);
    Halide::Func output("output");
    output(vars) = Halide::select(feature < rotated, rotatedValue, input(vars));
    builder.addResult(0, output);

    if (isAutoscheduled(schedule))
      return builder.finish();
    schedulePointwise(output, vars, schedule);
    inverseFrequency.compute_root();
    rotation.compute_root();
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
