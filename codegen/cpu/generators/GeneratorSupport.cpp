//===- GeneratorSupport.cpp - Pieces shared by the kernel generators ------===//
//
// Parameter and output constraints, the call interface, the activation
// functions and the pointwise schedule.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/generators/GeneratorSupport.h"
#include "codegen/cpu/Target.h"
#include "runtime/src/WeightPacking.h"

#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/MathExtras.h"

#include <array>
#include <cmath>

using namespace llvm;

namespace kiln {

Halide::Type getHalideType(StringRef elementType) {
  return StringSwitch<Halide::Type>(elementType)
      .Case("f32", Halide::Float(32))
      .Case("f16", Halide::Float(16))
      .Case("bf16", Halide::BFloat(16))
      .Case("i64", Halide::Int(64))
      .Case("i32", Halide::Int(32))
      .Case("i1", Halide::Bool())
      .Default(Halide::Handle());
}

Error requireF32(const KernelSignature &signature) {
  auto check = [&](const std::vector<TensorPattern> &patterns,
                   StringRef what) -> Error {
    for (auto [index, pattern] : llvm::enumerate(patterns))
      if (pattern.elementType == "f16" || pattern.elementType == "bf16")
        return createStringError(inconvertibleErrorCode(),
                                 "kernels of '" + signature.getOpName() +
                                     "' compute in f32 only for now, got " +
                                     pattern.elementType + " " + what + " " +
                                     Twine(index));
    return Error::success();
  };
  if (Error error = check(signature.getOperands(), "operand"))
    return error;
  return check(signature.getResults(), "result");
}

std::vector<Halide::Var> makeVars(unsigned count, const std::string &prefix) {
  std::vector<Halide::Var> vars;
  for (unsigned i = 0; i < count; ++i)
    vars.emplace_back(prefix + std::to_string(i));
  return vars;
}

std::vector<Halide::Expr> toExprs(ArrayRef<Halide::Var> vars) {
  return std::vector<Halide::Expr>(vars.begin(), vars.end());
}

//===----------------------------------------------------------------------===//
// KernelBuilder
//===----------------------------------------------------------------------===//

/// The extent that schedulers assume for run-time dimensions. Only
/// autoschedulers read it; kernels accept any extent.
constexpr int kRuntimeExtentEstimate = 512;

/// Fixes the minimum of every dimension of `buffer` to 0, fixes the
/// extents `pattern` bakes, and sets estimates for schedulers.
static void constrainBuffer(Halide::OutputImageParam buffer,
                            const TensorPattern &pattern) {
  unsigned rank = pattern.getRank();
  for (unsigned dim = 0; dim < rank; ++dim) {
    Halide::Internal::Dimension bufferDim = buffer.dim(rank - 1 - dim);
    bufferDim.set_min(0);
    if (pattern.isRuntimeDim(dim)) {
      bufferDim.set_estimate(0, kRuntimeExtentEstimate);
      continue;
    }
    int size = static_cast<int>(pattern.dims[dim]);
    bufferDim.set_extent(size);
    bufferDim.set_estimate(0, size);
  }
}

KernelBuilder::KernelBuilder(const KernelSignature &signature,
                             const Halide::Target &target)
    : signature(signature), target(target) {}

Halide::ImageParam KernelBuilder::addOperand(unsigned index,
                                             const std::string &name) {
  const TensorPattern &pattern = signature.getOperands()[index];
  Halide::ImageParam param(getHalideType(pattern.elementType),
                           pattern.getRank(), name);
  constrainBuffer(param, pattern);
  inputs.push_back(param);
  interface.arguments.push_back({KernelArgument::Kind::Operand, index, name,
                                 pattern.elementType, pattern.getRank()});
  return param;
}

Halide::ImageParam
KernelBuilder::addPackedWeightOperand(unsigned index, const std::string &name,
                                      int panelWidth,
                                      kiln_packed_format format) {
  const TensorPattern &pattern = signature.getOperands()[index];
  assert(pattern.getRank() == 2 && !pattern.isRuntimeDim(0) &&
         !pattern.isRuntimeDim(1) && "packed weights are static matrices");
  bool isTiles = format == KILN_PACKED_BF16X3_TILES;
  Halide::ImageParam param(
      isTiles ? Halide::UInt(32) : getHalideType(pattern.elementType), 3, name);
  // Dense, as the host code and the runtime lay them out.
  std::array<runtime::PackedDim, 3> dims = runtime::getPackedWeightDims(
      pattern.dims[0], pattern.dims[1], panelWidth, format);
  for (auto [dim, packed] : llvm::enumerate(dims)) {
    int extent = static_cast<int>(packed.extent);
    param.dim(dim).set_min(0).set_extent(extent).set_stride(
        static_cast<int>(packed.stride));
    param.dim(dim).set_estimate(0, extent);
  }
  inputs.push_back(param);
  KernelArgument argument{KernelArgument::Kind::Operand, index, name,
                          pattern.elementType, 3};
  argument.panelWidth = panelWidth;
  argument.packedFormat = format;
  interface.arguments.push_back(argument);
  return param;
}

void KernelBuilder::addResult(unsigned index, Halide::Func func) {
  assert(index == outputs.size() && "results must be added in order");
  const TensorPattern &pattern = signature.getResults()[index];
  constrainBuffer(func.output_buffer(), pattern);
  outputs.push_back(func);
  resultArguments.push_back({KernelArgument::Kind::Result, index, func.name(),
                             pattern.elementType, pattern.getRank()});
}

void KernelBuilder::requireStrictFloat() {
  target = target.with_feature(Halide::Target::StrictFloat);
}

GeneratedKernel KernelBuilder::finish() {
  assert(outputs.size() == signature.getResults().size() &&
         "every result needs a function");
  CallInterface callInterface = interface;
  llvm::append_range(callInterface.arguments, resultArguments);
  return GeneratedKernel{Halide::Pipeline(outputs), inputs,
                         std::move(callInterface), target};
}

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

Halide::Expr expOfNonPositive(const Halide::Expr &x) {
  return Halide::exp(Halide::clamp(x, -100.0f, 0.0f));
}

Halide::Expr exp2OfNonPositive(const Halide::Expr &x) {
  // 2^x = 2^n * 2^f with n = ceil(x - 0.5) in [-127, 0], from a truncating
  // conversion (one instruction; Halide's round takes four on AVX-512),
  // and f in (-0.5, 0.5]. 2^n is built in the exponent bits; n = -127
  // gives the bits of 0.0.
  Halide::Expr clamped = Halide::max(x, -127.0f);
  Halide::Expr whole = Halide::cast<int32_t>(clamped - 0.5f);
  Halide::Expr fraction = clamped - Halide::cast<float>(whole);
  // Minimax fit of (2^f - 1) / f on [-0.5, 0.5] for relative error.
  static const float coefficients[] = {1.53533503e-4f, 1.33988750e-3f,
                                       9.61843785e-3f, 5.55033237e-2f,
                                       2.40226477e-1f, 6.93147182e-1f};
  Halide::Expr polynomial = 0.0f;
  for (float coefficient : coefficients)
    polynomial = (polynomial + coefficient) * fraction;
  Halide::Expr power =
      Halide::reinterpret(Halide::Float(32), (whole + 127) << 23);
  return (polynomial + 1.0f) * power;
}

Halide::Expr vectorSigmoid(const Halide::Expr &x) {
  // From e = exp(-|x|) in (0, 1], which cannot overflow.
  Halide::Expr decay = expOfNonPositive(-Halide::abs(x));
  return Halide::select(x >= 0.0f, 1.0f, decay) / (1.0f + decay);
}

Halide::Expr vectorTanh(const Halide::Expr &x) {
  // Halide lowers tanh to a scalar libm call per lane on x86. Near 0 an odd
  // Taylor polynomial keeps full relative precision (its first omitted
  // term is below 1e-8 relative for |x| < 1/4); elsewhere tanh x =
  // 2 sigmoid(2x) - 1.
  Halide::Expr square = x * x;
  Halide::Expr series =
      x * (1.0f +
           square * (float(-1.0 / 3) +
                     square * (float(2.0 / 15) +
                               square * (float(-17.0 / 315) +
                                         square * (float(62.0 / 2835) +
                                                   square * float(
                                                       -1382.0 / 155925))))));
  return Halide::select(Halide::abs(x) < 0.25f, series,
                        2.0f * vectorSigmoid(2.0f * x) - 1.0f);
}

Halide::Expr applyActivation(StringRef kind, const Halide::Expr &x) {
  if (kind == "relu")
    return Halide::max(x, 0.0f);
  if (kind == "gelu")
    return 0.5f * x * (1.0f + Halide::erf(x * float(1.0 / numbers::sqrt2)));
  if (kind == "gelu_tanh") {
    Halide::Expr inner =
        float(std::sqrt(2.0 / numbers::pi)) * (x + 0.044715f * x * x * x);
    // 0.5 (1 + tanh z) = sigmoid(2z): fewer constants than tanh, which
    // leaves the registers of a linear layer's tile to its accumulators.
    return x * vectorSigmoid(2.0f * inner);
  }
  if (kind == "silu")
    return x * vectorSigmoid(x);
  if (kind == "tanh")
    return vectorTanh(x);
  llvm_unreachable("unknown activation kind");
}

//===----------------------------------------------------------------------===//
// Schedules
//===----------------------------------------------------------------------===//

void addVectorParameter(ScheduleSpace &space, const Halide::Target &target) {
  space.addParameter("vector", "vector width in f32 lanes", {4, 8, 16, 32},
                     getNativeFloatLanes(target));
}

void addParallelParameter(ScheduleSpace &space) {
  space.addParameter("parallel", "run independent tasks on several threads",
                     {0, 1}, 1);
}

/// The default rows of a pointwise task for `signature`: 16, or more where
/// 16 rows of the result hold fewer than 4096 elements. Claiming a task
/// costs more than copying a short one: `kiln.split_heads` to 64-element
/// rows in BERT-base on 2 threads took 1.3 ms per forward pass at seq 128
/// (6.3 ms at seq 512) in tasks of 16 rows, 1.0 ms (5.1 ms) in tasks of 64.
static int64_t getDefaultRowsPerTask(const KernelSignature &signature,
                                     ArrayRef<int64_t> choices) {
  constexpr int64_t minRows = 16, minElements = 4096;
  ArrayRef<TensorPattern> results = signature.getResults();
  int64_t rowLength = results.empty() || results[0].getRank() == 0
                          ? kRuntimeDim
                          : results[0].dims.back();
  if (rowLength == kRuntimeDim)
    return minRows;
  for (int64_t rows : choices)
    if (rows >= minRows && rows * rowLength >= minElements)
      return rows;
  return choices.back();
}

void addPointwiseParameters(ScheduleSpace &space,
                            const KernelSignature &signature,
                            const Halide::Target &target) {
  addVectorParameter(space, target);
  addParallelParameter(space);
  const int64_t choices[] = {1, 4, 16, 64, 256};
  space.addParameter("rows_per_task",
                     "rows (all dimensions but the innermost) per task",
                     choices, getDefaultRowsPerTask(signature, choices));
}

Halide::LoopLevel schedulePointwise(Halide::Func output,
                                    ArrayRef<Halide::Var> vars,
                                    const Schedule &schedule) {
  output.vectorize(vars[0], getParameter(schedule, "vector"),
                   Halide::TailStrategy::GuardWithIf);
  if (vars.size() == 1)
    return Halide::LoopLevel::root();
  Halide::Var task("task"), row("row");
  Halide::Var fused = vars[1];
  for (const Halide::Var &outer : vars.drop_front(2)) {
    Halide::Var next(fused.name() + "_" + outer.name());
    output.fuse(fused, outer, next);
    fused = next;
  }
  output.split(fused, task, row, getParameter(schedule, "rows_per_task"),
               Halide::TailStrategy::GuardWithIf);
  if (schedule.get("parallel"))
    output.parallel(task);
  return Halide::LoopLevel(output, row);
}

Halide::Var fuseIntoParallelTask(Halide::Stage stage, Halide::Var task,
                                 llvm::ArrayRef<Halide::Var> outer,
                                 const Schedule &schedule) {
  for (const Halide::Var &var : outer) {
    Halide::Var fused(task.name() + "_" + var.name());
    stage.fuse(task, var, fused);
    task = fused;
  }
  if (schedule.get("parallel"))
    stage.parallel(task);
  return task;
}

void vectorizeReduction(Halide::Func reduction, Halide::RVar r, int vector) {
  Halide::RVar outer(r.name() + "_outer"), inner(r.name() + "_inner");
  Halide::Var lane("lane");
  Halide::Func partial =
      reduction.update()
          .split(r, outer, inner, vector, Halide::TailStrategy::GuardWithIf)
          .rfactor(inner, lane);
  partial.compute_at(reduction, Halide::Var::outermost()).vectorize(lane);
  partial.update().vectorize(lane);
}

ScheduleSpace
PointwiseKernelGenerator::getScheduleSpace(const KernelSignature &signature,
                                           const Halide::Target &target) const {
  ScheduleSpace space;
  addPointwiseParameters(space, signature, target);
  return space;
}

} // namespace kiln
