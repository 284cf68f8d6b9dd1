//===- KernelTestSupport.cpp - Check kernels against the reference --------===//
//
// The harness that runs one kernel, through the KernelRunner, against the
// fp64 reference evaluator, and the comparison of results with tolerances.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "dialect/KilnDialect.h"
#include "dialect/KilnOps.h"
#include "reference/Comparison.h"
#include "reference/ReferenceEvaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

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
// Comparison
//===----------------------------------------------------------------------===//

void expectClose(const ReferenceTensor &actual, const ReferenceTensor &expected,
                 Tolerance tolerance, const std::string &what) {
  std::optional<std::string> mismatch =
      describeMismatch(actual, expected, tolerance.relativeToMax);
  EXPECT_FALSE(mismatch) << what << ": " << mismatch.value_or("");
}

//===----------------------------------------------------------------------===//
// KernelUnderTest
//===----------------------------------------------------------------------===//

/// The threads of the tests' kernels: more than one, so that parallel
/// loops really run concurrently, and unpinned, so that tests running side
/// by side do not crowd onto the same CPUs.
constexpr int kTestThreads = 2;

KernelUnderTest::KernelUnderTest(std::unique_ptr<MLIRContext> context,
                                 OwningOpRef<ModuleOp> module,
                                 KernelSignature signature,
                                 std::unique_ptr<KernelRunner> runner)
    : context(std::move(context)), module(std::move(module)),
      func(getFunction(*this->module)), op(getKilnOp(func)),
      signature(std::move(signature)), runner(std::move(runner)) {}

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
  if (!schedule) {
    llvm::Expected<Schedule> defaultSchedule = KernelRunner::getDefaultSchedule(
        *signature, getKernelTestTarget().name);
    if (!defaultSchedule) {
      ADD_FAILURE() << llvm::toString(defaultSchedule.takeError());
      return nullptr;
    }
    schedule = std::move(*defaultSchedule);
  }
  llvm::Expected<std::unique_ptr<KernelRunner>> runner = KernelRunner::create(
      *signature, *schedule, getKernelTestTarget().name, kTestThreads,
      /*pin=*/false);
  if (!runner) {
    ADD_FAILURE() << llvm::toString(runner.takeError());
    return nullptr;
  }
  return std::unique_ptr<KernelUnderTest>(
      new KernelUnderTest(std::move(context), std::move(module),
                          std::move(*signature), std::move(*runner)));
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
  std::vector<ReferenceTensor> operands;
  for (Value operand : op->getOperands()) {
    auto blockArgument = dyn_cast<BlockArgument>(operand);
    if (!blockArgument) {
      ADD_FAILURE() << "operand " << operands.size()
                    << " of the tested op is not a function argument";
      return std::nullopt;
    }
    operands.push_back(arguments[blockArgument.getArgNumber()]);
  }
  if (llvm::Error error = runner->bind(operands, resultShapes)) {
    ADD_FAILURE() << llvm::toString(std::move(error));
    return std::nullopt;
  }
  if (llvm::Error error = runner->run()) {
    ADD_FAILURE() << llvm::toString(std::move(error));
    return std::nullopt;
  }
  return runner->getResults();
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
