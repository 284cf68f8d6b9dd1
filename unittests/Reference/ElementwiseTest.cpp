//===- ElementwiseTest.cpp - Reference tests of elementwise ops -----------===//
//
// Broadcasting arithmetic, scaling, every activation function and the
// round-to-nearest-even of casts, against values worked out by hand (the
// activation values were computed separately, with Python's math module).
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include <limits>
#include <string>

using namespace mlir;

namespace kiln {
namespace {

class ElementwiseTest : public ReferenceTest {};

TEST_F(ElementwiseTest, AddBroadcastsAlongLeadingDimensions) {
  std::optional<ReferenceTensor> sum = evaluateOne(
      R"mlir(
  func.func @test(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
    %0 = kiln.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
)mlir",
      {ReferenceTensor({2, 3}, {1, 2, 3, 4, 5, 6}),
       ReferenceTensor({3}, {10, 20, 30})});
  ASSERT_TRUE(sum);
  EXPECT_TRUE(isTensorNear(*sum, {2, 3}, {11, 22, 33, 14, 25, 36}));
}

TEST_F(ElementwiseTest, MulStretchesDimensionsOfSizeOne) {
  std::optional<ReferenceTensor> product = evaluateOne(
      R"mlir(
  func.func @test(%a: tensor<2x1xf32>, %b: tensor<1x3xf32>) -> tensor<2x3xf32> {
    %0 = kiln.mul %a, %b : (tensor<2x1xf32>, tensor<1x3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
)mlir",
      {ReferenceTensor({2, 1}, {2, 3}), ReferenceTensor({1, 3}, {1, 10, 100})});
  ASSERT_TRUE(product);
  EXPECT_TRUE(isTensorNear(*product, {2, 3}, {2, 20, 200, 3, 30, 300}));
}

TEST_F(ElementwiseTest, SubKeepsOperandOrderWhenTheLhsBroadcasts) {
  std::optional<ReferenceTensor> difference = evaluateOne(
      R"mlir(
  func.func @test(%a: tensor<2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
    %0 = kiln.sub %a, %b : (tensor<2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {ReferenceTensor({2}, {10, 20}), ReferenceTensor({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(difference);
  EXPECT_TRUE(isTensorNear(*difference, {2, 2}, {9, 18, 7, 16}));
}

TEST_F(ElementwiseTest, DivDividesLhsByRhs) {
  std::optional<ReferenceTensor> quotient = evaluateOne(
      R"mlir(
  func.func @test(%a: tensor<2x2xf32>, %b: tensor<2x1xf32>) -> tensor<2x2xf32> {
    %0 = kiln.div %a, %b : (tensor<2x2xf32>, tensor<2x1xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {ReferenceTensor({2, 2}, {1, 2, 3, 4}), ReferenceTensor({2, 1}, {2, 8})});
  ASSERT_TRUE(quotient);
  EXPECT_TRUE(isTensorNear(*quotient, {2, 2}, {0.5, 1, 0.375, 0.5}));
}

TEST_F(ElementwiseTest, ScaleMultipliesByItsFactor) {
  std::optional<ReferenceTensor> scaled = evaluateOne(
      R"mlir(
  func.func @test(%a: tensor<3xf32>) -> tensor<3xf32> {
    %0 = kiln.scale %a by 0.125 : tensor<3xf32>
    return %0 : tensor<3xf32>
  }
)mlir",
      {ReferenceTensor({3}, {8, -4, 1})});
  ASSERT_TRUE(scaled);
  EXPECT_TRUE(isTensorNear(*scaled, {3}, {1, -0.5, 0.125}));
}

/// Applies activation `kind` to [-1, 0, 1, 2].
std::string activationFunction(llvm::StringRef kind) {
  return "func.func @test(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
         "  %0 = kiln.activation " +
         kind.str() +
         " %a : tensor<4xf32>\n"
         "  return %0 : tensor<4xf32>\n"
         "}\n";
}

/// The inputs of the activation tests.
ReferenceTensor activationInputs() {
  return ReferenceTensor({4}, {-1, 0, 1, 2});
}

TEST_F(ElementwiseTest, ReluClampsNegativesToZero) {
  std::optional<ReferenceTensor> y =
      evaluateOne(activationFunction("relu"), {activationInputs()});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {4}, {0, 0, 1, 2}));
}

TEST_F(ElementwiseTest, GeluIsExact) {
  // x * Phi(x): Phi(1) = 0.841344746..., the standard normal CDF.
  std::optional<ReferenceTensor> y =
      evaluateOne(activationFunction("gelu"), {activationInputs()});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {4},
                           {-0.15865525393145707, 0, 0.8413447460685429,
                            1.9544997361036416},
                           1e-15));
}

TEST_F(ElementwiseTest, GeluTanhIsTheTanhApproximation) {
  std::optional<ReferenceTensor> y =
      evaluateOne(activationFunction("gelu_tanh"), {activationInputs()});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {4},
                           {-0.15880800939172324, 0, 0.8411919906082768,
                            1.954597694087775},
                           1e-15));
}

TEST_F(ElementwiseTest, SiluIsXTimesSigmoid) {
  std::optional<ReferenceTensor> y =
      evaluateOne(activationFunction("silu"), {activationInputs()});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {4},
                           {-0.2689414213699951, 0, 0.7310585786300049,
                            1.7615941559557646},
                           1e-15));
}

TEST_F(ElementwiseTest, TanhIsTheHyperbolicTangent) {
  std::optional<ReferenceTensor> y =
      evaluateOne(activationFunction("tanh"), {activationInputs()});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {4},
                           {-0.7615941559557649, 0, 0.7615941559557649,
                            0.9640275800758169},
                           1e-15));
}

TEST_F(ElementwiseTest, CastToBf16RoundsToNearestEven) {
  // bf16 keeps 8 significant bits: between 1 and 2 its spacing is 2^-7.
  std::optional<ReferenceTensor> rounded = evaluateOne(
      R"mlir(
  func.func @test(%a: tensor<4xf32>) -> tensor<4xbf16> {
    %0 = kiln.cast %a : tensor<4xf32> -> tensor<4xbf16>
    return %0 : tensor<4xbf16>
  }
)mlir",
      {ReferenceTensor({4}, {
                                1 + 0x1p-9,     // below half a step: down
                                1 + 3 * 0x1p-9, // above half a step: up
                                1 + 0x1p-8,     // a tie: to the even 1.0
                                1 + 3 * 0x1p-8, // a tie: to the even 1+2^-6
                            })});
  ASSERT_TRUE(rounded);
  EXPECT_TRUE(
      isTensorNear(*rounded, {4}, {1, 1 + 0x1p-7, 1, 1 + 0x1p-6}, 0.0));
}

TEST_F(ElementwiseTest, CastToF16RoundsToNearestEvenAndOverflows) {
  // f16 keeps 11 significant bits and its largest finite value is 65504.
  std::optional<ReferenceTensor> rounded = evaluateOne(
      R"mlir(
  func.func @test(%a: tensor<3xf32>) -> tensor<3xf16> {
    %0 = kiln.cast %a : tensor<3xf32> -> tensor<3xf16>
    return %0 : tensor<3xf16>
  }
)mlir",
      {ReferenceTensor({3}, {1 + 0x1p-11, 1 + 3 * 0x1p-11, 70000})});
  ASSERT_TRUE(rounded);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(isTensorNear(*rounded, {3}, {1, 1 + 0x1p-9, kInf}, 0.0));
}

} // namespace
} // namespace kiln
