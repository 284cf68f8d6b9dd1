//===- Norms.cpp - Kernels of normalisations over the last dimension ------===//
//
// `kiln.layer_norm` (two-pass mean and biased variance), `kiln.rms_norm`
// (whose scales may be offsets from `gamma_offset`), their residual-fused
// forms `kiln.add_layer_norm` and `kiln.add_rms_norm`, which also return
// the sum, and `kiln.l2_normalize`. The feature width is baked; rows are
// run-time. Row statistics are computed once per row, at
// the row loop of the pointwise schedule.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

using namespace llvm;

namespace kiln {

namespace {

/// Generates the kernels of normalisations.
class NormGenerator : public PointwiseKernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.layer_norm", "kiln.rms_norm",
                                      "kiln.add_layer_norm",
                                      "kiln.add_rms_norm", "kiln.l2_normalize"};
    return names;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    StringRef kind = signature.getOpKind();
    bool isFused = kind.starts_with("add_");
    bool isLayerNorm = kind.ends_with("layer_norm");
    unsigned numOperands = signature.getOperands().size();
    const TensorPattern &inputPattern = signature.getOperands()[0];
    unsigned rank = inputPattern.getRank();
    int width = static_cast<int>(inputPattern.dims.back());
    std::vector<Halide::Var> vars = makeVars(rank, "d");
    std::vector<Halide::Var> rows(vars.begin() + 1, vars.end());
    Halide::Var feature = vars[0];

    KernelBuilder builder(signature, target);
    Halide::ImageParam input = builder.addOperand(0, "input");
    // The values normalised: the input, or its sum with the residual.
    Halide::Func x = input;
    unsigned next = 1;
    if (isFused) {
      Halide::ImageParam residual = builder.addOperand(next++, "residual");
      Halide::Func sum("sum");
      sum(vars) = input(vars) + residual(vars);
      builder.addResult(0, sum);
      if (!isAutoscheduled(schedule))
        schedulePointwise(sum, vars, schedule);
      x = sum;
    }
    float epsilon = static_cast<float>(signature.getFloat("epsilon"));
    Halide::RDom across(0, width, "across");
    std::vector<Halide::Expr> acrossIndex = toExprs(vars);
    acrossIndex[0] = across;

    // Row sums over the features, computed once per row.
    std::vector<Halide::Func> rowStats;
    auto sumOverRow = [&](const std::string &name, Halide::Expr summand) {
      Halide::Func stats(name);
      stats(rows) = 0.0f;
      stats(rows) += summand;
      rowStats.push_back(stats);
      return stats(rows);
    };
    Halide::Expr xAcross = x(acrossIndex);
    Halide::Func output("output");
    if (kind == "l2_normalize") {
      Halide::Expr norm =
          Halide::sqrt(sumOverRow("sum_squares", xAcross * xAcross));
      output(vars) = x(vars) / Halide::max(norm, epsilon);
    } else if (isLayerNorm) {
      Halide::ImageParam gamma = builder.addOperand(next++, "gamma");
      Halide::Expr mean = sumOverRow("total", xAcross) / width;
      Halide::Expr variance =
          sumOverRow("centered_squares", (xAcross - mean) * (xAcross - mean)) /
          width;
      Halide::Expr normalized =
          (x(vars) - mean) / Halide::sqrt(variance + epsilon) * gamma(feature);
      if (next < numOperands) {
        Halide::ImageParam beta = builder.addOperand(next++, "beta");
        normalized += beta(feature);
      }
      output(vars) = normalized;
    } else {
      Halide::ImageParam gamma = builder.addOperand(next++, "gamma");
      Halide::Expr scale = gamma(feature);
      if (signature.hasAttr("gamma_offset"))
        scale += static_cast<float>(signature.getFloat("gamma_offset"));
      Halide::Expr meanSquare =
          sumOverRow("sum_squares", xAcross * xAcross) / width;
      output(vars) = x(vars) / Halide::sqrt(meanSquare + epsilon) * scale;
    }
    builder.addResult(isFused ? 1 : 0, output);

    if (isAutoscheduled(schedule))
      return builder.finish();
    Halide::LoopLevel rowLoop = schedulePointwise(output, vars, schedule);
    for (Halide::Func stats : rowStats) {
      stats.compute_at(rowLoop);
      vectorizeReduction(stats, across, getParameter(schedule, "vector"));
    }
    return builder.finish();
  }
};

} // namespace

const KernelGenerator &getNormGenerator() {
  static const NormGenerator generator;
  return generator;
}

} // namespace kiln
