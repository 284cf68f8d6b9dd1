//===- Elementwise.cpp - Kernels of elementwise ops -----------------------===//
//
// `kiln.add`, `kiln.sub`, `kiln.mul` and `kiln.div` with NumPy
// broadcasting, `kiln.scale`, `kiln.activation` and `kiln.cast`. Operands
// broadcast along the dimensions their signature fixes to 1; other
// dimensions must match the result's at run time. These kernels compile
// with IEEE semantics because masked attention scores (-inf) flow through
// them in unfused graphs.
//
// `kiln.cast` converts between f32, f16 and bf16 (rounding to nearest
// even); the other kernels compute in f32.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/generators/Generators.h"

using namespace llvm;

namespace kiln {

namespace {

/// The index into an operand of `pattern` for the result element at
/// `vars`: trailing dimensions align, so Halide dimension `i` of the
/// operand is Halide dimension `i` of the result, and a broadcast
/// dimension reads index 0.
std::vector<Halide::Expr> broadcastIndex(const TensorPattern &pattern,
                                         ArrayRef<Halide::Var> vars) {
  unsigned rank = pattern.getRank();
  std::vector<Halide::Expr> index;
  for (unsigned i = 0; i < rank; ++i)
    index.push_back(pattern.dims[rank - 1 - i] == 1 ? Halide::Expr(0)
                                                    : Halide::Expr(vars[i]));
  return index;
}

/// The binary op named `kind` applied to `lhs` and `rhs`.
Halide::Expr combine(StringRef kind, const Halide::Expr &lhs,
                     const Halide::Expr &rhs) {
  if (kind == "add")
    return lhs + rhs;
  if (kind == "sub")
    return lhs - rhs;
  if (kind == "mul")
    return lhs * rhs;
  return lhs / rhs;
}

/// Generates the kernels of elementwise ops.
class ElementwiseGenerator : public PointwiseKernelGenerator {
public:
  ArrayRef<StringRef> getOpNames() const override {
    static const StringRef names[] = {
        "kiln.add",   "kiln.sub",        "kiln.mul", "kiln.div",
        "kiln.scale", "kiln.activation", "kiln.cast"};
    return names;
  }

  Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const override {
    StringRef kind = signature.getOpKind();
    if (kind != "cast")
      if (Error error = requireF32(signature))
        return std::move(error);
    KernelBuilder builder(signature, target);
    const TensorPattern &result = signature.getResults()[0];
    std::vector<Halide::Var> vars = makeVars(result.getRank(), "d");
    Halide::Func output("output");
    if (signature.getOperands().size() == 2) {
      Halide::ImageParam lhs = builder.addOperand(0, "lhs");
      Halide::ImageParam rhs = builder.addOperand(1, "rhs");
      output(vars) =
          combine(kind, lhs(broadcastIndex(signature.getOperands()[0], vars)),
                  rhs(broadcastIndex(signature.getOperands()[1], vars)));
    } else {
      Halide::ImageParam input = builder.addOperand(0, "input");
      Halide::Expr x = input(vars);
      if (kind == "scale")
        output(vars) = x * static_cast<float>(signature.getFloat("factor"));
      else if (kind == "activation")
        output(vars) = applyActivation(signature.getString("kind"), x);
      else
        output(vars) = Halide::cast(getHalideType(result.elementType), x);
    }
    builder.addResult(0, output);
    builder.requireStrictFloat();
    if (isAutoscheduled(schedule))
      return builder.finish();
    schedulePointwise(output, vars, schedule);
    return builder.finish();
  }
};

} // namespace

const KernelGenerator &getElementwiseGenerator() {
  static const ElementwiseGenerator generator;
  return generator;
}

} // namespace kiln
