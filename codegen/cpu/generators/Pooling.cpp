//===- Pooling.cpp - Kernels of kiln.mean_pool ----------------------------===//
//
// Averages [batch, seq, d] over the sequence, counting only the positions
// that the optional [batch, seq] attention mask keeps. A sequence without
// kept positions pools to zeros, as in the reference and
// sentence-transformers. Sums run over the sequence with the feature
// dimension vectorised.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

using namespace llvm;

namespace kiln {

namespace {

/// Generates the mean-pooling kernels.
class PoolingGenerator : public PointwiseKernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.mean_pool"};
    return names;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    KernelBuilder builder(signature, target);
    Halide::ImageParam input = builder.addOperand(0, "input");
    Halide::Var feature("feature"), batch("batch");
    Halide::RDom position(0, input.dim(1).extent(), "position");
    Halide::Expr value = input(feature, position, batch);
    // Without a mask every position counts.
    Halide::Expr count = input.dim(1).extent();
    Halide::Func keptCount("kept_count");
    if (signature.getOperands().size() == 2) {
      Halide::ImageParam mask = builder.addOperand(1, "attention_mask");
      Halide::Expr isKept =
          mask(position, batch) != Halide::Internal::make_zero(mask.type());
      value = Halide::select(isKept, value, 0.0f);
      keptCount(batch) = 0;
      keptCount(batch) += Halide::select(isKept, 1, 0);
      count = keptCount(batch);
    }
    Halide::Func total("total");
    total(feature, batch) = 0.0f;
    total(feature, batch) += value;
    Halide::Func output("output");
    output(feature, batch) = Halide::select(
        count > 0, total(feature, batch) / Halide::cast<float>(count), 0.0f);
    builder.addResult(0, output);

    if (isAutoscheduled(schedule))
      return builder.finish();
    int vector = getParameter(schedule, "vector");
    Halide::LoopLevel rowLoop =
        schedulePointwise(output, {feature, batch}, schedule);
    if (keptCount.defined())
      keptCount.compute_at(rowLoop);
    total.compute_at(rowLoop).vectorize(feature, vector,
                                        Halide::TailStrategy::GuardWithIf);
    total.update()
        .reorder(feature, position)
        .vectorize(feature, vector, Halide::TailStrategy::GuardWithIf);
    return builder.finish();
  }
};

} // namespace

const KernelGenerator &getPoolingGenerator() {
  static const PoolingGenerator generator;
  return generator;
}

} // namespace kiln
