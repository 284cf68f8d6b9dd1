//===- Softmax.cpp - Kernels of kiln.softmax ------------------------------===//
//
// Softmax along any axis: the row maximum, the sum of exponentials and the
// normalised exponentials, with the row reductions vectorised. Inputs may
// hold the -inf of masked scores, but Halide's fast floating point assumes
// finite values, so each input is first clamped to the lowest finite float
// under IEEE semantics (`strict_float`) and everything after it sees finite
// values only. A row whose maximum is that lowest value is fully masked and
// yields zeros, as the dialect specifies. Along the innermost axis, each
// row's exponentials are computed once, as powers of two, for both the sum
// and the output, which multiplies them by the sum's reciprocal.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

#include "llvm/Support/MathExtras.h"

#include <limits>

using namespace llvm;

namespace kiln {

namespace {

/// Generates the softmax kernels.
class SoftmaxGenerator : public PointwiseKernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.softmax"};
    return names;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    KernelBuilder builder(signature, target);
    Halide::ImageParam input = builder.addOperand(0, "input");
    unsigned rank = signature.getOperands()[0].getRank();
    std::vector<Halide::Var> vars = makeVars(rank, "d");
    unsigned axis = rank - 1 - signature.getInt("axis");

    // The statistics are indexed by every variable but the axis.
    std::vector<Halide::Var> others = vars;
    others.erase(others.begin() + axis);
    Halide::RDom along(0, input.dim(axis).extent(), "along");
    std::vector<Halide::Expr> alongIndex = toExprs(vars);
    alongIndex[axis] = along;

    const float lowest = std::numeric_limits<float>::lowest();
    auto finiteInput = [&](const std::vector<Halide::Expr> &index) {
      return Halide::strict_float(Halide::max(input(index), lowest));
    };
    Halide::Func rowMax("row_max");
    rowMax(others) = lowest;
    rowMax(others) = Halide::max(rowMax(others), finiteInput(alongIndex));
    // exp(x - max) as a power of two; the clamp keeps the product finite.
    Halide::Func exponentials("exponentials");
    exponentials(vars) = exp2OfNonPositive(
        Halide::max(finiteInput(toExprs(vars)) - rowMax(others), -100.0f) *
        static_cast<float>(numbers::log2e));
    Halide::Func rowSum("row_sum");
    rowSum(others) = 0.0f;
    rowSum(others) += exponentials(alongIndex);
    // One reciprocal per row turns the normalisation into products.
    Halide::Func inverseSum("inverse_sum");
    inverseSum(others) = 1.0f / rowSum(others);
    Halide::Func output("output");
    output(vars) = Halide::select(rowMax(others) == lowest, 0.0f,
                                  exponentials(vars) * inverseSum(others));
    builder.addResult(0, output);

    if (isAutoscheduled(schedule))
      return builder.finish();
    Halide::LoopLevel rowLoop = schedulePointwise(output, vars, schedule);
    if (axis == 0) {
      // One row of statistics per output row, and the row's exponentials,
      // computed once for the sum and the output (a row of logits stays in
      // L2).
      int vector = getParameter(schedule, "vector");
      for (Halide::Func stats : {rowMax, rowSum}) {
        stats.compute_at(rowLoop);
        vectorizeReduction(stats, along, vector);
      }
      exponentials.compute_at(rowLoop).vectorize(
          vars[0], vector, Halide::TailStrategy::GuardWithIf);
      inverseSum.compute_at(rowLoop);
    } else {
      // The axis is an outer dimension: computing the statistics per output
      // row would redo them for every position along the axis.
      for (Halide::Func stats : {rowMax, rowSum}) {
        stats.compute_root().vectorize(others[0],
                                       getParameter(schedule, "vector"),
                                       Halide::TailStrategy::GuardWithIf);
        stats.update()
            .reorder(others[0], along)
            .vectorize(others[0], getParameter(schedule, "vector"),
                       Halide::TailStrategy::GuardWithIf);
      }
    }
    return builder.finish();
  }
};

} // namespace

const KernelGenerator &getSoftmaxGenerator() {
  static const SoftmaxGenerator generator;
  return generator;
}

} // namespace kiln
