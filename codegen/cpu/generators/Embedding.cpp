//===- Embedding.cpp - Kernels of embeddings and absolute positions -------===//
//
// `kiln.embedding` gathers table rows. The runtime checks token ids before
// any kernel runs; the kernel still clamps each id into [0, rows) so that a
// bad id can never make it read outside the table (it reads the first or
// last row instead).
//
// `kiln.learned_positions` adds row `s` of a table to position `s`; Halide's
// bounds check rejects a table with fewer rows than the sequence. Counted
// positions (RoBERTa's) come from a running count of the non-padding ids
// along each sequence, computed once per call; the row is clamped into the
// table like an embedding's id, since the ids are run-time data.
// `kiln.sinusoidal_positions` computes its encoding in f64 (the angle
// `s / base^(2i/d)` loses too much in f32 at long sequences) once per
// position, shared by the batch.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

#include "llvm/Support/MathExtras.h"

using namespace llvm;

namespace kiln {

namespace {

/// Generates the kernels of embeddings and absolute positions.
class EmbeddingGenerator : public PointwiseKernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {"kiln.embedding",
                                      "kiln.learned_positions",
                                      "kiln.sinusoidal_positions"};
    return names;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    if (Error error = requireF32(signature))
      return std::move(error);
    KernelBuilder builder(signature, target);
    std::vector<Halide::Var> vars =
        makeVars(signature.getResults()[0].getRank(), "d");
    Halide::Func output("output");
    StringRef kind = signature.getOpKind();
    if (kind == "embedding")
      defineEmbedding(builder, output, vars);
    else if (kind == "learned_positions")
      defineLearnedPositions(signature, builder, output, vars, schedule);
    else
      defineSinusoidalPositions(signature, builder, output, vars, schedule);
    builder.addResult(0, output);
    if (isAutoscheduled(schedule))
      return builder.finish();
    schedulePointwise(output, vars, schedule);
    return builder.finish();
  }

private:
  /// output[..., w] = table[clamp(ids[...]), w].
  static void defineEmbedding(KernelBuilder &builder, Halide::Func output,
                              ArrayRef<Halide::Var> vars) {
    Halide::ImageParam table = builder.addOperand(0, "table");
    Halide::ImageParam ids = builder.addOperand(1, "ids");
    Halide::Expr id = ids(toExprs(vars.drop_front()));
    Halide::Expr lastRow = Halide::cast(id.type(), table.dim(1).extent() - 1);
    Halide::Expr row = Halide::cast<int>(Halide::clamp(id, 0, lastRow));
    output(vars) = table(vars[0], row);
  }

  /// output[b, s, w] = input[b, s, w] + table[row(b, s), w], where the row
  /// is `s`, or with a padding_idx the counted position of token s.
  static void defineLearnedPositions(const KernelSignature &signature,
                                     KernelBuilder &builder,
                                     Halide::Func output,
                                     ArrayRef<Halide::Var> vars,
                                     const Schedule &schedule) {
    Halide::ImageParam input = builder.addOperand(0, "input");
    Halide::ImageParam table = builder.addOperand(1, "table");
    if (!signature.hasAttr("padding_idx")) {
      output(vars) = input(vars) + table(vars[0], vars[1]);
      return;
    }
    Halide::ImageParam ids = builder.addOperand(2, "ids");
    // row(s, b): the table row of token s of sequence b, RoBERTa's
    // `padding_idx + (non-padding ids up to s)`, or `padding_idx` for
    // padding; clamped into the table.
    Halide::Var position("position"), sequence("sequence");
    int64_t paddingIdx = signature.getInt("padding_idx");
    Halide::Expr isToken = ids(position, sequence) !=
                           Halide::cast(ids.type(), Halide::Expr(paddingIdx));
    Halide::Func counted("counted_tokens"), row("position_row");
    counted(position, sequence) = Halide::select(isToken, 1, 0);
    Halide::RDom next(1, ids.dim(0).extent() - 1, "next");
    counted(next, sequence) += counted(next - 1, sequence);
    Halide::Expr paddingRow = static_cast<int>(paddingIdx);
    row(position, sequence) = Halide::clamp(
        Halide::select(isToken, paddingRow + counted(position, sequence),
                       paddingRow),
        0, table.dim(1).extent() - 1);
    output(vars) = input(vars) + table(vars[0], row(vars[1], vars[2]));
    if (isAutoscheduled(schedule))
      return;
    // Each sequence's scan, then its rows, before any output.
    row.compute_root();
    counted.compute_at(row, sequence);
    if (schedule.get("parallel"))
      row.parallel(sequence);
  }

  /// output[b, s, w] = input[b, s, w] + sin or cos of s / base^(2i/d).
  static void defineSinusoidalPositions(const KernelSignature &signature,
                                        KernelBuilder &builder,
                                        Halide::Func output,
                                        ArrayRef<Halide::Var> vars,
                                        const Schedule &schedule) {
    Halide::ImageParam input = builder.addOperand(0, "input");
    Halide::Expr width(static_cast<double>(signature.getOperands()[0].dims[2]));
    Halide::Expr base(signature.getFloat("base"));
    Halide::Var feature = vars[0], position = vars[1];
    Halide::Expr pair = Halide::cast<double>(feature / 2);
    Halide::Expr angle = Halide::cast<double>(position) /
                         Halide::pow(base, Halide::Expr(2.0) * pair / width);
    // Odd features take the cosine: sin(angle + pi/2).
    Halide::Expr phase =
        Halide::cast<double>(feature % 2) * Halide::Expr(numbers::pi / 2);
    Halide::Func encoding("encoding");
    encoding(feature, position) =
        Halide::cast<float>(Halide::sin(angle + phase));
    output(vars) = input(vars) + encoding(feature, position);
    if (isAutoscheduled(schedule))
      return;
    encoding.compute_root();
    if (schedule.get("parallel"))
      encoding.parallel(position);
  }
};

} // namespace

const KernelGenerator &getEmbeddingGenerator() {
  static const EmbeddingGenerator generator;
  return generator;
}

} // namespace kiln
