//===- KernelTestSupport.cpp - Check kernels against the reference --------===//
//
// Conversions between reference tensors (row-major doubles) and Halide
// buffers (innermost dimension first, in the kernel's element type), and
// the JIT harness that runs one kernel against the fp64 reference.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/Target.h"
#include "dialect/KilnDialect.h"
#include "dialect/KilnOps.h"
#include "reference/ReferenceEvaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;

namespace kiln::test {

OwningOpRef<ModuleOp> parseModule(MLIRContext &context, StringRef source) {
  return parseSourceString<ModuleOp>(source, &context);
}

func::FuncOp getFunction(ModuleOp module) {
  return *module.getOps<func::FuncOp>().begin();
}

Operation *getKilnOp(func::FuncOp func) {
  for (Operation &op : func.getBody().front())
    if (isa<kiln::KilnDialect>(op.getDialect()))
      return &op;
  return nullptr;
}

std::unique_ptr<MLIRContext> createContext() {
  auto context = std::make_unique<MLIRContext>();
  context->loadDialect<kiln::KilnDialect, func::FuncDialect,
                       arith::ArithDialect>();
  return context;
}

//===----------------------------------------------------------------------===//
// Buffers
//===----------------------------------------------------------------------===//

/// Calls `function` with a null pointer of the C++ element type of `type`.
template <typename Function>
static void dispatchOnType(Halide::Type type, Function &&function) {
  if (type == Halide::Float(32))
    function(static_cast<float *>(nullptr));
  else if (type == Halide::Float(16))
    function(static_cast<Halide::float16_t *>(nullptr));
  else if (type == Halide::BFloat(16))
    function(static_cast<Halide::bfloat16_t *>(nullptr));
  else if (type == Halide::Int(64))
    function(static_cast<int64_t *>(nullptr));
  else if (type == Halide::Int(32))
    function(static_cast<int32_t *>(nullptr));
  else if (type == Halide::Bool())
    function(static_cast<bool *>(nullptr));
  else
    FAIL() << "unexpected buffer type " << type;
}

/// The sizes of `shape` innermost first.
static std::vector<int> reversedSizes(ArrayRef<int64_t> shape) {
  return std::vector<int>(shape.rbegin(), shape.rend());
}

/// The Halide buffer of `tensor`, with the dimensions reversed (innermost
/// first) and the elements converted to `type`.
static Halide::Buffer<> toHalideBuffer(const ReferenceTensor &tensor,
                                       Halide::Type type) {
  Halide::Buffer<> buffer(type, reversedSizes(tensor.getShape()));
  dispatchOnType(type, [&](auto *typed) {
    using T = std::remove_pointer_t<decltype(typed)>;
    auto *data = static_cast<T *>(buffer.data());
    // Halide's default layout is dense with dimension 0 innermost, which
    // is the row-major order of the tensor.
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      data[i] = static_cast<T>(tensor[i]);
  });
  return buffer;
}

/// The tensor of `buffer` (innermost dimension first), as doubles.
static ReferenceTensor fromHalideBuffer(const Halide::Buffer<> &buffer) {
  SmallVector<int64_t> shape;
  for (int dim = buffer.dimensions() - 1; dim >= 0; --dim)
    shape.push_back(buffer.dim(dim).extent());
  ReferenceTensor tensor(shape);
  dispatchOnType(buffer.type(), [&](auto *typed) {
    using T = std::remove_pointer_t<decltype(typed)>;
    const auto *data = static_cast<const T *>(buffer.data());
    for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
      tensor[i] = static_cast<double>(data[i]);
  });
  return tensor;
}

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

void expectClose(const ReferenceTensor &actual, const ReferenceTensor &expected,
                 Tolerance tolerance, const std::string &what) {
  ASSERT_EQ(actual.getShape(), expected.getShape()) << what;
  double maxMagnitude = 1.0;
  for (double x : expected.getElements())
    if (std::isfinite(x))
      maxMagnitude = std::max(maxMagnitude, std::abs(x));
  double bound = tolerance.relativeToMax * maxMagnitude;
  double worstError = 0.0;
  int64_t worstIndex = -1;
  for (int64_t i = 0, e = expected.getNumElements(); i < e; ++i) {
    double want = expected[i], got = actual[i];
    if (!std::isfinite(want)) {
      bool isSame = std::isnan(want) ? std::isnan(got) : got == want;
      ASSERT_TRUE(isSame) << what << ": element " << i << " is " << got
                          << ", expected " << want;
      continue;
    }
    double error = std::abs(got - want);
    if (!(error <= worstError)) {
      worstError = error;
      worstIndex = i;
    }
  }
  EXPECT_LE(worstError, bound)
      << what << ": worst element " << worstIndex << " is "
      << actual[worstIndex] << ", expected " << expected[worstIndex]
      << " (largest expected magnitude " << maxMagnitude << ")";
}

//===----------------------------------------------------------------------===//
// KernelUnderTest
//===----------------------------------------------------------------------===//

KernelUnderTest::KernelUnderTest(std::unique_ptr<MLIRContext> context,
                                 OwningOpRef<ModuleOp> module,
                                 KernelSignature signature,
                                 GeneratedKernel kernel)
    : context(std::move(context)), module(std::move(module)),
      func(getFunction(*this->module)), op(getKilnOp(func)),
      signature(std::move(signature)), kernel(std::move(kernel)),
      jitTarget(
          this->kernel.target.without_feature(Halide::Target::NoRuntime)) {}

std::unique_ptr<KernelUnderTest>
KernelUnderTest::create(StringRef source, std::optional<Schedule> schedule) {
  std::unique_ptr<MLIRContext> context = createContext();
  OwningOpRef<ModuleOp> module = parseModule(*context, source);
  if (!module) {
    ADD_FAILURE() << "cannot parse the test function";
    return nullptr;
  }
  Operation *op = getKilnOp(getFunction(*module));
  if (!op) {
    ADD_FAILURE() << "the test function has no kiln op";
    return nullptr;
  }
  FailureOr<KernelSignature> signature = signatureOf(op);
  if (failed(signature)) {
    ADD_FAILURE() << "no signature for " << op->getName().getStringRef().str();
    return nullptr;
  }
  llvm::Expected<Halide::Target> target = parseKernelTarget("host");
  if (!target) {
    ADD_FAILURE() << llvm::toString(target.takeError());
    return nullptr;
  }
  if (!schedule) {
    llvm::Expected<ScheduleSpace> space =
        getKernelScheduleSpace(*signature, *target);
    if (!space) {
      ADD_FAILURE() << llvm::toString(space.takeError());
      return nullptr;
    }
    schedule = space->getDefaultSchedule();
  }
  llvm::Expected<GeneratedKernel> kernel =
      generateKernel(*signature, *schedule, *target);
  if (!kernel) {
    ADD_FAILURE() << llvm::toString(kernel.takeError());
    return nullptr;
  }
  std::unique_ptr<KernelUnderTest> result(
      new KernelUnderTest(std::move(context), std::move(module),
                          std::move(*signature), std::move(*kernel)));
  try {
    result->kernel.pipeline.compile_jit(result->jitTarget);
  } catch (const Halide::Error &error) {
    ADD_FAILURE() << "JIT compilation failed: " << error.what();
    return nullptr;
  }
  return result;
}

std::vector<ReferenceTensor>
KernelUnderTest::makeArguments(ArrayRef<int64_t> dynamicSizes, uint64_t seed,
                               double floatScale) {
  FailureOr<std::vector<ReferenceTensor>> arguments =
      randomArguments(func, seed, dynamicSizes);
  if (failed(arguments)) {
    ADD_FAILURE() << "cannot make random arguments";
    return {};
  }
  for (auto [tensor, type] : llvm::zip(*arguments, func.getArgumentTypes())) {
    auto floatType =
        dyn_cast<FloatType>(cast<RankedTensorType>(type).getElementType());
    if (!floatType)
      continue;
    // Round to the argument's type: the kernel sees no more precision.
    for (double &x : tensor.getElements()) {
      llvm::APFloat value(x * floatScale);
      bool losesInfo;
      value.convert(floatType.getFloatSemantics(),
                    llvm::APFloat::rmNearestTiesToEven, &losesInfo);
      x = value.convertToDouble();
    }
  }
  return *arguments;
}

std::optional<std::vector<ReferenceTensor>>
KernelUnderTest::run(ArrayRef<ReferenceTensor> arguments,
                     ArrayRef<SmallVector<int64_t>> resultShapes) {
  std::vector<Halide::Buffer<>> inputs;
  for (const KernelArgument &argument : kernel.interface.arguments) {
    if (argument.kind != KernelArgument::Kind::Operand)
      continue;
    auto blockArgument =
        dyn_cast<BlockArgument>(op->getOperand(argument.index));
    if (!blockArgument) {
      ADD_FAILURE() << "operand " << argument.index
                    << " of the tested op is not a function argument";
      return std::nullopt;
    }
    Halide::ImageParam param = kernel.inputs[inputs.size()];
    inputs.push_back(
        toHalideBuffer(arguments[blockArgument.getArgNumber()], param.type()));
    param.set(inputs.back());
  }
  std::vector<Halide::Buffer<>> outputs;
  for (const KernelArgument &argument : kernel.interface.arguments)
    if (argument.kind == KernelArgument::Kind::Result)
      outputs.emplace_back(Halide::Buffer<>(
          kernel.pipeline.outputs()[argument.index].output_types()[0],
          reversedSizes(resultShapes[argument.index])));
  try {
    Halide::Realization realization(outputs);
    kernel.pipeline.realize(realization, jitTarget);
  } catch (const Halide::Error &error) {
    ADD_FAILURE() << "the kernel failed: " << error.what();
    return std::nullopt;
  }
  std::vector<ReferenceTensor> results;
  for (const Halide::Buffer<> &output : outputs)
    results.push_back(fromHalideBuffer(output));
  return results;
}

void KernelUnderTest::expectMatchesReference(
    ArrayRef<ReferenceTensor> arguments, Tolerance tolerance) {
  FailureOr<std::vector<ReferenceTensor>> expected =
      evaluateFunction(func, arguments);
  ASSERT_TRUE(succeeded(expected)) << "the reference evaluator failed";
  std::vector<SmallVector<int64_t>> shapes;
  for (const ReferenceTensor &tensor : *expected)
    shapes.emplace_back(tensor.getShape());
  std::optional<std::vector<ReferenceTensor>> actual = run(arguments, shapes);
  ASSERT_TRUE(actual.has_value());
  for (auto [index, pair] : llvm::enumerate(llvm::zip(*actual, *expected)))
    expectClose(std::get<0>(pair), std::get<1>(pair), tolerance,
                signature.getOpName().str() + " result " +
                    std::to_string(index));
}

void KernelUnderTest::expectMatchesReference(ArrayRef<int64_t> dynamicSizes,
                                             uint64_t seed,
                                             Tolerance tolerance) {
  std::vector<ReferenceTensor> arguments = makeArguments(dynamicSizes, seed);
  ASSERT_FALSE(arguments.empty());
  expectMatchesReference(arguments, tolerance);
}

void expectKernelMatchesReference(
    StringRef source, ArrayRef<std::vector<int64_t>> dynamicSizeSets,
    Tolerance tolerance) {
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(source);
  ASSERT_TRUE(kernel);
  for (const std::vector<int64_t> &sizes : dynamicSizeSets) {
    std::string trace = "dynamic sizes";
    for (int64_t size : sizes)
      trace += " " + std::to_string(size);
    SCOPED_TRACE(trace);
    kernel->expectMatchesReference(sizes, /*seed=*/sizes.back(), tolerance);
  }
}

} // namespace kiln::test
