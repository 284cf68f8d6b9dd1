//===- Layout.cpp - Kernels of ops that move elements ---------------------===//
//
// `kiln.transpose`, `kiln.split_heads`, `kiln.merge_heads`,
// `kiln.repeat_kv` and `kiln.slice`: each output element is one input
// element, so every kernel is an index map under the pointwise schedule.
// Head counts, head sizes, slice sizes and offsets are baked; batch and
// sequence are run-time, and so is the start of a slice counted from the
// end.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

using namespace llvm;

namespace kiln {

namespace {

/// Generates the kernels of ops that move elements.
class LayoutGenerator : public PointwiseKernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.transpose", "kiln.split_heads",
                                      "kiln.merge_heads", "kiln.repeat_kv",
                                      "kiln.slice"};
    return names;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    KernelBuilder builder(signature, target);
    Halide::ImageParam input = builder.addOperand(0, "input");
    const TensorPattern &result = signature.getResults()[0];
    std::vector<Halide::Var> vars = makeVars(result.getRank(), "d");
    Halide::Func output("output");
    output(vars) = input(inputIndex(signature, input, vars));
    builder.addResult(0, output);
    if (isAutoscheduled(schedule))
      return builder.finish();
    schedulePointwise(output, vars, schedule);
    return builder.finish();
  }

private:
  /// The element of `input` that output element `vars` copies.
  static std::vector<Halide::Expr> inputIndex(const KernelSignature &signature,
                                              const Halide::ImageParam &input,
                                              ArrayRef<Halide::Var> vars) {
    StringRef kind = signature.getOpKind();
    const TensorPattern &result = signature.getResults()[0];
    unsigned rank = result.getRank();
    if (kind == "transpose") {
      // Output tensor dimension i is input tensor dimension permutation[i].
      std::vector<Halide::Expr> index(rank);
      for (auto [outputDim, inputDim] :
           llvm::enumerate(signature.getInts("permutation")))
        index[rank - 1 - inputDim] = vars[rank - 1 - outputDim];
      return index;
    }
    if (kind == "split_heads") {
      // [b, h, s, d] <- [b, s, h * head_dim + d].
      int headDim = static_cast<int>(result.dims[3]);
      return {vars[2] * headDim + vars[0], vars[1], vars[3]};
    }
    if (kind == "merge_heads") {
      // [b, s, f] <- [b, f / head_dim, s, f % head_dim].
      int headDim = static_cast<int>(signature.getOperands()[0].dims[3]);
      return {vars[0] % headDim, vars[1], vars[0] / headDim, vars[2]};
    }
    if (kind == "repeat_kv") {
      // [b, h, s, d] <- [b, h / repeats, s, d].
      int repeats =
          static_cast<int>(result.dims[1] / signature.getOperands()[0].dims[1]);
      return {vars[0], vars[1], vars[2] / repeats, vars[3]};
    }
    // Slice: shift the sliced dimension to the start, which a negative
    // offset counts from the run-time end of the input.
    std::vector<Halide::Expr> index = toExprs(vars);
    unsigned axis = rank - 1 - signature.getInt("axis");
    int offset = static_cast<int>(signature.getInt("offset"));
    index[axis] +=
        offset < 0 ? input.dim(axis).extent() + offset : Halide::Expr(offset);
    return index;
  }
};

} // namespace

const KernelGenerator &getLayoutGenerator() {
  static const LayoutGenerator generator;
  return generator;
}

} // namespace kiln
