//===- KernelRunnerTest.cpp - JIT-compiled kernels on the thread pool -----===//
//
// The KernelRunner that every kernel test and benchmark runs kernels
// through: packed weight arguments, the kernel's own error for a buffer it
// was not compiled for, argument checks, timing and the median.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/KernelRunner.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// A linear layer whose weight is a model weight, which the kernel reads
/// packed into panels; 40 rows are not a whole number of panels.
constexpr llvm::StringLiteral kPackedLinear = R"mlir(
  func.func @f(%x: tensor<?x24xf32>,
               %w: tensor<40x24xf32> {kiln.weight = "w"},
               %b: tensor<40xf32>) -> tensor<?x40xf32> {
    %y = kiln.linear %x, %w bias %b activation gelu_tanh
        : (tensor<?x24xf32>, tensor<40x24xf32>, tensor<40xf32>)
        -> tensor<?x40xf32>
    return %y : tensor<?x40xf32>
  })mlir";

/// The runner of the kiln op of `source` with the default schedule on 2
/// pinned threads; fails the test and returns null on errors.
std::unique_ptr<KernelRunner> createRunner(llvm::StringRef source) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  mlir::OwningOpRef<mlir::ModuleOp> module = parseModule(*context, source);
  if (!module) {
    ADD_FAILURE() << "cannot parse the test function";
    return nullptr;
  }
  mlir::FailureOr<KernelSignature> signature =
      signatureOf(getKilnOp(getFunction(*module)));
  if (mlir::failed(signature)) {
    ADD_FAILURE() << "no signature";
    return nullptr;
  }
  llvm::Expected<Schedule> schedule =
      KernelRunner::getDefaultSchedule(*signature, "host");
  if (!schedule) {
    ADD_FAILURE() << llvm::toString(schedule.takeError());
    return nullptr;
  }
  llvm::Expected<std::unique_ptr<KernelRunner>> runner =
      KernelRunner::create(*signature, *schedule, "host", /*numThreads=*/2);
  if (!runner) {
    ADD_FAILURE() << llvm::toString(runner.takeError());
    return nullptr;
  }
  return std::move(*runner);
}

/// The message of `error`, or "success".
std::string messageOf(llvm::Error error) {
  return error ? llvm::toString(std::move(error)) : "success";
}

/// A [rows, cols] tensor whose element (r, c) is r * cols + c, scaled.
ReferenceTensor makeRamp(int64_t rows, int64_t cols, double scale) {
  ReferenceTensor tensor({rows, cols});
  for (int64_t i = 0, e = tensor.getNumElements(); i < e; ++i)
    tensor[i] = static_cast<double>(i) * scale;
  return tensor;
}

TEST(KernelRunnerTest, PackedWeightArgumentMatchesReference) {
  std::unique_ptr<KernelUnderTest> kernel =
      KernelUnderTest::create(kPackedLinear);
  ASSERT_TRUE(kernel);
  const CallInterface &interface = kernel->getRunner().getInterface();
  auto isPacked = [](const KernelArgument &argument) {
    return argument.panelWidth != 0;
  };
  auto packed = llvm::find_if(interface.arguments, isPacked);
  ASSERT_NE(packed, interface.arguments.end())
      << "the kernel of a model weight's linear layer reads no packed weight";
  EXPECT_EQ(packed->index, 1u);
  EXPECT_EQ(packed->rank, 3u);
  // Row counts below, at and above one panel of rows.
  kernel->expectMatchesReference({1});
  kernel->expectMatchesReference({7});
  kernel->expectMatchesReference({33});
}

TEST(KernelRunnerTest, KernelReportsAnExtentItWasNotCompiledFor) {
  std::unique_ptr<KernelRunner> runner = createRunner(kPackedLinear);
  ASSERT_TRUE(runner);
  // 23 input features where the kernel was compiled for 24.
  llvm::Error error = runner->bind(
      {makeRamp(4, 23, 0.01), makeRamp(40, 23, 0.01), ReferenceTensor({40})},
      {{4, 40}});
  if (!error)
    error = runner->run();
  std::string message = messageOf(std::move(error));
  EXPECT_EQ(message.rfind("the kernel of kiln.linear failed: ", 0), 0u)
      << message;
  // Halide's own check of the baked extent, or, where the schedule's
  // bounds inference runs first (AMX kernels), of the access past it.
  EXPECT_TRUE(message.find("(23) == 24") != std::string::npos ||
              message.find("input is accessed at 23, which is beyond the "
                           "max (22)") != std::string::npos)
      << message;
}

TEST(KernelRunnerTest, BindRejectsAWrongNumberOfOperandsOrResults) {
  std::unique_ptr<KernelRunner> runner = createRunner(kPackedLinear);
  ASSERT_TRUE(runner);
  EXPECT_EQ(messageOf(runner->bind({makeRamp(4, 24, 0.01)}, {{4, 40}})),
            "kiln.linear takes 3 operands, got 1");
  EXPECT_EQ(
      messageOf(runner->bind({makeRamp(4, 24, 0.01), makeRamp(40, 24, 0.01),
                              ReferenceTensor({40})},
                             {})),
      "kiln.linear has 1 results, got 0 result shapes");
  EXPECT_EQ(messageOf(runner->run()),
            "the kernel's buffers are not bound: call bind() first");
}

TEST(KernelRunnerTest, TimeReturnsOneSamplePerRepetition) {
  std::unique_ptr<KernelRunner> runner = createRunner(kPackedLinear);
  ASSERT_TRUE(runner);
  EXPECT_EQ(runner->getNumThreads(), 2);
  ASSERT_EQ(
      messageOf(runner->bind({makeRamp(16, 24, 0.01), makeRamp(40, 24, 0.001),
                              ReferenceTensor({40})},
                             {{16, 40}})),
      "success");
  llvm::Expected<std::vector<double>> seconds = runner->time(2, 7);
  ASSERT_EQ(messageOf(seconds.takeError()), "success");
  ASSERT_EQ(seconds->size(), 7u);
  for (double sample : *seconds)
    EXPECT_GT(sample, 0.0);
  llvm::Expected<std::vector<double>> none = runner->time(0, 0);
  ASSERT_EQ(messageOf(none.takeError()), "success");
  EXPECT_TRUE(none->empty());
}

TEST(KernelRunnerTest, UnknownTargetIsRejected) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      parseModule(*context, kPackedLinear);
  ASSERT_TRUE(module);
  mlir::FailureOr<KernelSignature> signature =
      signatureOf(getKilnOp(getFunction(*module)));
  ASSERT_TRUE(mlir::succeeded(signature));
  llvm::Expected<std::unique_ptr<KernelRunner>> runner =
      KernelRunner::create(*signature, Schedule(), "avx9", 1);
  std::string message = messageOf(runner.takeError());
  EXPECT_NE(message.find("'avx9'"), std::string::npos) << message;
}

TEST(MedianTest, MiddleSampleOrMeanOfTheTwoMiddleOnes) {
  EXPECT_EQ(median({3.0}), 3.0);
  EXPECT_EQ(median({5.0, 1.0, 4.0}), 4.0);
  EXPECT_EQ(median({4.0, 1.0, 3.0, 10.0}), 3.5);
}

} // namespace
