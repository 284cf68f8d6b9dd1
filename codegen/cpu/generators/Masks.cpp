//===- Masks.cpp - Kernels of attention masks -----------------------------===//
//
// `kiln.causal_mask`, `kiln.sliding_window_mask` and `kiln.padding_mask`
// write -inf over the scores they hide, so they compile with IEEE
// semantics. The positions follow the dialect: with more keys than
// queries, query `i` sits at position `i + keys - queries`.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

#include <limits>

using namespace llvm;

namespace kiln {

namespace {

/// Generates the kernels of attention masks.
class MaskGenerator : public PointwiseKernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {
        "kiln.causal_mask", "kiln.sliding_window_mask", "kiln.padding_mask"};
    return names;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    KernelBuilder builder(signature, target);
    Halide::ImageParam scores = builder.addOperand(0, "scores");
    std::vector<Halide::Var> vars =
        makeVars(signature.getOperands()[0].getRank(), "d");
    // Scores are [..., queries, keys]: Halide dimension 0 is the key.
    Halide::Var key = vars[0], query = vars[1];
    Halide::Expr isMasked;
    if (signature.getOpKind() == "padding_mask") {
      Halide::ImageParam attentionMask =
          builder.addOperand(1, "attention_mask");
      Halide::Var batch = vars[3];
      isMasked = attentionMask(key, batch) ==
                 Halide::Internal::make_zero(attentionMask.type());
    } else {
      Halide::Expr position =
          query + scores.dim(0).extent() - scores.dim(1).extent();
      isMasked = key > position;
      if (signature.getOpKind() == "sliding_window_mask")
        isMasked =
            isMasked ||
            position - key >=
                Halide::Expr(static_cast<int>(signature.getInt("window")));
    }
    Halide::Func output("output");
    output(vars) = Halide::select(
        isMasked, -std::numeric_limits<float>::infinity(), scores(vars));
    builder.addResult(0, output);
    builder.requireStrictFloat();
    if (isAutoscheduled(schedule))
      return builder.finish();
    schedulePointwise(output, vars, schedule);
    return builder.finish();
  }
};

} // namespace

const KernelGenerator &getMaskGenerator() {
  static const MaskGenerator generator;
  return generator;
}

} // namespace kiln
