//===- GeneratorSupport.h - Shared pieces of kernel generators --*- C++ -*-===//
//
// Internal to the kernel library: the builder that turns operands and
// results into Halide parameters and the call interface, the activation
// functions shared by `kiln.linear` and `kiln.activation`, and the pointwise
// schedule (vectorise the innermost dimension, split the others into
// parallel tasks) that memory-bound kernels share.
//
// Halide indexes a tensor innermost first: variable `vars[i]` of a rank-r
// tensor walks tensor dimension `r - 1 - i`.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_GENERATORS_GENERATORSUPPORT_H
#define KILN_CODEGEN_CPU_GENERATORS_GENERATORSUPPORT_H

#include "codegen/cpu/KernelGenerator.h"

#include <Halide.h>
#include <string>
#include <vector>

namespace kiln {

/// The Halide type of an element type as MLIR prints it (`f32`, `i64`).
Halide::Type getHalideType(llvm::StringRef elementType);

/// Fails unless every floating-point tensor of `signature` is f32: kernels
/// compute in f32 for now.
llvm::Error requireF32(const KernelSignature &signature);

/// `count` variables named `<prefix>0`, `<prefix>1`, ...; variable `i` is
/// Halide dimension `i`.
std::vector<Halide::Var> makeVars(unsigned count, const std::string &prefix);

/// The variables as expressions, for indexing.
std::vector<Halide::Expr> toExprs(llvm::ArrayRef<Halide::Var> vars);

/// Collects the operand parameters, the result functions and the call
/// interface of one kernel.
class KernelBuilder {
public:
  KernelBuilder(const KernelSignature &signature, const Halide::Target &target);

  /// The buffer parameter of operand `index`, with the minimum of every
  /// dimension fixed to 0, the extents the signature bakes fixed, and
  /// estimates for schedulers. Operands are passed in the order they are
  /// added.
  Halide::ImageParam addOperand(unsigned index, const std::string &name);

  /// The buffer parameter of operand `index`, a static [rows, cols] f32
  /// weight, read pre-packed into panels of `panelWidth` rows in layout
  /// `format` (see KernelArgument::panelWidth), with every extent and
  /// stride fixed: f32 (lane, column, panel) for f32 panels, pairs of bf16
  /// bits (uint32) for bf16x3 tiles.
  Halide::ImageParam addPackedWeightOperand(unsigned index,
                                            const std::string &name,
                                            int panelWidth,
                                            kiln_packed_format format);

  /// Makes `func` result `index`, constraining its output buffer like the
  /// operands. Results must be added in result order.
  void addResult(unsigned index, Halide::Func func);

  /// Compiles the kernel with IEEE floating-point semantics, which kernels
  /// that may see the -inf of masked scores need: Halide otherwise lets
  /// LLVM assume that no value is infinite.
  void requireStrictFloat();

  /// The finished kernel.
  GeneratedKernel finish();

private:
  const KernelSignature &signature;
  Halide::Target target;
  std::vector<Halide::ImageParam> inputs;
  std::vector<Halide::Func> outputs;
  CallInterface interface;
  std::vector<KernelArgument> resultArguments;
};

/// Schedule parameter `name` as the `int` that Halide's scheduling calls
/// take.
inline int getParameter(const Schedule &schedule, llvm::StringRef name) {
  return static_cast<int>(schedule.get(name));
}

/// exp(x) for an `x` that is mathematically at most 0 (a value minus the
/// maximum it was drawn from), clamped into [-100, 0]: exactly 0 below -100,
/// and never the infinity or integer overflow that Halide's exp produces
/// for large or huge negative arguments, which its fast floating-point
/// flags make undefined. Lanes whose argument exceeds 0 are masked lanes
/// whose value is discarded.
Halide::Expr expOfNonPositive(const Halide::Expr &x);

/// 1 / (1 + exp(-x)) in vector instructions, for every finite x.
Halide::Expr vectorSigmoid(const Halide::Expr &x);

/// tanh(x) in vector instructions, accurate to a few ulp over all finite x.
Halide::Expr vectorTanh(const Halide::Expr &x);

/// 2^x for an `x` that is at most 0 (up to rounding), from a polynomial
/// that vectorises into a dozen instructions (relative error about 1e-7 in
/// f32): exactly 0 for `x <= -126.5`, the lowest float included, and never
/// an infinity or NaN. Larger arguments give meaningless values.
Halide::Expr exp2OfNonPositive(const Halide::Expr &x);

/// Applies the activation named `kind` (an ActivationKind case) to `x`.
Halide::Expr applyActivation(llvm::StringRef kind, const Halide::Expr &x);

/// Adds `vector`: the vector width in f32 lanes, defaulting to the
/// target's.
void addVectorParameter(ScheduleSpace &space, const Halide::Target &target);

/// Adds `parallel`: whether to run independent tasks on several threads.
void addParallelParameter(ScheduleSpace &space);

/// Adds the parameters `schedulePointwise` reads: `vector`, `parallel` and
/// `rows_per_task`, whose default covers at least 4096 elements of the
/// result of `signature` per task.
void addPointwiseParameters(ScheduleSpace &space,
                            const KernelSignature &signature,
                            const Halide::Target &target);

/// Schedules `output`, whose pure variables are `vars` (innermost first):
/// vectorises the innermost dimension, fuses the others into rows and
/// splits the rows into tasks of `rows_per_task`, run in parallel when
/// `parallel` is set. Returns the loop over single rows, where per-row
/// intermediates (a norm's statistics) belong; the root for rank 1.
Halide::LoopLevel schedulePointwise(Halide::Func output,
                                    llvm::ArrayRef<Halide::Var> vars,
                                    const Schedule &schedule);

/// Fuses the loops `outer` of `stage` into its loop `task`, innermost
/// first, and runs the fused loop in parallel when the schedule sets
/// `parallel`; returns the fused loop.
Halide::Var fuseIntoParallelTask(Halide::Stage stage, Halide::Var task,
                                 llvm::ArrayRef<Halide::Var> outer,
                                 const Schedule &schedule);

/// Vectorises the reduction over `r` in the update of `reduction`: lanes of
/// `vector` consecutive iterations accumulate separately (Halide's rfactor)
/// and are combined at the end. The reduction must be associative.
void vectorizeReduction(Halide::Func reduction, Halide::RVar r, int vector);

/// A generator whose kernels use the pointwise schedule.
class PointwiseKernelGenerator : public KernelGenerator {
public:
  ScheduleSpace getScheduleSpace(const KernelSignature &signature,
                                 const Halide::Target &target) const override;
};

} // namespace kiln

#endif // KILN_CODEGEN_CPU_GENERATORS_GENERATORSUPPORT_H
