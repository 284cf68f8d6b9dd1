//===- ElementwiseKernelTest.cpp - Elementwise kernels --------------------===//
//
// Broadcasting arithmetic, scale, every activation and casts against the
// reference, each for two sequence lengths through one compiled pipeline.
//
// Tolerance: one or two f32 operations per element on N(0, 1) inputs
// (erf and tanh are accurate to a few ulp), so 1e-5 of the largest output
// is loose. Casts to f16 and bf16 must round exactly as the reference.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"

#include <gtest/gtest.h>

#include <limits>

using namespace kiln;
using namespace kiln::test;

namespace {

/// A function applying binary `op` to operands of types `lhs` and `rhs`.
std::string binaryFunction(const std::string &op, const std::string &lhs,
                           const std::string &rhs, const std::string &result) {
  return "func.func @f(%a: " + lhs + ", %b: " + rhs + ") -> " + result +
         " {\n  %y = kiln." + op + " %a, %b : (" + lhs + ", " + rhs + ") -> " +
         result + "\n  return %y : " + result + "\n}";
}

TEST(ElementwiseKernelTest, AddWithBroadcastHeads) {
  expectKernelMatchesReference(binaryFunction("add", "tensor<2x3x?x?xf32>",
                                              "tensor<2x1x?x?xf32>",
                                              "tensor<2x3x?x?xf32>"),
                               {{2, 3, 4, 4}, {2, 3, 9, 9}});
}

TEST(ElementwiseKernelTest, SubOfLowerRankOperand) {
  expectKernelMatchesReference(binaryFunction("sub", "tensor<?x?x24xf32>",
                                              "tensor<24xf32>",
                                              "tensor<?x?x24xf32>"),
                               {{24, 2, 24}, {24, 17, 24}});
}

TEST(ElementwiseKernelTest, MulBroadcastingBothOperands) {
  expectKernelMatchesReference(binaryFunction("mul", "tensor<?x1x8xf32>",
                                              "tensor<1x?x8xf32>",
                                              "tensor<?x?x8xf32>"),
                               {{3, 5, 8}, {2, 11, 8}});
}

TEST(ElementwiseKernelTest, DivSameShapes) {
  expectKernelMatchesReference(binaryFunction("div", "tensor<?x16xf32>",
                                              "tensor<?x16xf32>",
                                              "tensor<?x16xf32>"),
                               {{3}, {20}}, Tolerance{2e-6});
}

TEST(ElementwiseKernelTest, Scale) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x33xf32>) -> tensor<2x?x33xf32> {
      %y = kiln.scale %x by 0.125 : tensor<2x?x33xf32>
      return %y : tensor<2x?x33xf32>
    })mlir",
                               {{2, 3}, {2, 8}});
}

/// One test per activation kind.
class ActivationKernelTest : public ::testing::TestWithParam<const char *> {};

TEST_P(ActivationKernelTest, MatchesReference) {
  std::string kind = GetParam();
  expectKernelMatchesReference(
      "func.func @f(%x: tensor<?x40xf32>) -> tensor<?x40xf32> {\n"
      "  %y = kiln.activation " +
          kind +
          " %x : tensor<?x40xf32>\n"
          "  return %y : tensor<?x40xf32>\n}",
      {{7}, {30}});
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ActivationKernelTest,
                         ::testing::Values("relu", "gelu", "gelu_tanh", "silu",
                                           "tanh"));

TEST(ElementwiseKernelTest, CastToBf16RoundsToNearestEven) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x24xf32>) -> tensor<?x24xbf16> {
      %y = kiln.cast %x : tensor<?x24xf32> -> tensor<?x24xbf16>
      return %y : tensor<?x24xbf16>
    })mlir",
                               {{5}, {9}}, Tolerance{0.0});
}

TEST(ElementwiseKernelTest, CastFromF16IsExact) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x24xf16>) -> tensor<?x24xf32> {
      %y = kiln.cast %x : tensor<?x24xf16> -> tensor<?x24xf32>
      return %y : tensor<?x24xf32>
    })mlir",
                               {{5}, {9}}, Tolerance{0.0});
}

TEST(ElementwiseKernelTest, MaskedScoresStayInfinite) {
  // Unfused attention scales and offsets scores that masks set to -inf;
  // the kernels must keep them -inf (IEEE semantics).
  std::unique_ptr<KernelUnderTest> kernel =
      KernelUnderTest::create(binaryFunction(
          "add", "tensor<?x4xf32>", "tensor<4xf32>", "tensor<?x4xf32>"));
  ASSERT_TRUE(kernel);
  std::vector<ReferenceTensor> arguments = kernel->makeArguments({3}, 1);
  arguments[0][1] = -std::numeric_limits<double>::infinity();
  arguments[0][6] = -std::numeric_limits<double>::infinity();
  kernel->expectMatchesReference(arguments);
}

TEST(ElementwiseKernelTest, HalfPrecisionArithmeticIsRejected) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  mlir::OwningOpRef<mlir::ModuleOp> module = parseModule(
      *context, binaryFunction("add", "tensor<?x4xbf16>", "tensor<?x4xbf16>",
                               "tensor<?x4xbf16>"));
  ASSERT_TRUE(module);
  mlir::FailureOr<KernelSignature> signature =
      signatureOf(getKilnOp(getFunction(*module)));
  ASSERT_TRUE(mlir::succeeded(signature));
  llvm::Expected<Halide::Target> target = parseKernelTarget("host");
  ASSERT_TRUE(bool(target));
  llvm::Expected<ScheduleSpace> space =
      getKernelScheduleSpace(*signature, *target);
  ASSERT_TRUE(bool(space));
  llvm::Expected<GeneratedKernel> kernel =
      generateKernel(*signature, space->getDefaultSchedule(), *target);
  ASSERT_FALSE(bool(kernel));
  EXPECT_EQ(llvm::toString(kernel.takeError()),
            "kernels of 'kiln.add' compute in f32 only for now, got bf16 "
            "operand 0");
}

} // namespace
