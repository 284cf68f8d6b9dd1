//===- NormsTest.cpp - Reference tests of layer and RMS norms -------------===//
//
// Layer norm (biased variance, gamma, optional beta), RMS norm and their
// forms fused with the residual add, against means and variances worked
// out by hand.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

class NormsTest : public ReferenceTest {};

constexpr double kEpsilon = 1e-5;

/// Rows [1, 2, 3, 4] (mean 2.5, biased variance 1.25) and [2, 2, 2, 2]
/// (variance 0).
ReferenceTensor normInput() {
  return ReferenceTensor({2, 4}, {1, 2, 3, 4, 2, 2, 2, 2});
}

ReferenceTensor normGamma() { return ReferenceTensor({4}, {1, 1, 2, 2}); }

ReferenceTensor normBeta() { return ReferenceTensor({4}, {0, 0, 0, 1}); }

/// The layer norm of normInput() with normGamma() and, if `withBeta`,
/// normBeta().
std::vector<double> expectedLayerNorm(bool withBeta) {
  double s = std::sqrt(1.25 + kEpsilon);
  double shift = withBeta ? 1 : 0;
  return {-1.5 / s, -0.5 / s, 2 * 0.5 / s, 2 * 1.5 / s + shift,
          0,        0,        0,           shift};
}

TEST_F(NormsTest, LayerNormUsesTheBiasedVariance) {
  std::optional<ReferenceTensor> y = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>)
      -> tensor<2x4xf32> {
    %0 = kiln.layer_norm %x, %g, %b epsilon 1.0e-05
        : (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    return %0 : tensor<2x4xf32>
  }
)mlir",
      {normInput(), normGamma(), normBeta()});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {2, 4}, expectedLayerNorm(true)));
}

TEST_F(NormsTest, LayerNormWithoutBetaOnlyScales) {
  std::optional<ReferenceTensor> y = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x4xf32>, %g: tensor<4xf32>) -> tensor<2x4xf32> {
    %0 = kiln.layer_norm %x, %g epsilon 1.0e-05
        : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
    return %0 : tensor<2x4xf32>
  }
)mlir",
      {normInput(), normGamma()});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {2, 4}, expectedLayerNorm(false)));
}

TEST_F(NormsTest, LayerNormRejectsAGammaOfTheWrongRunTimeSize) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%x: tensor<2x4xf32>, %g: tensor<?xf32>) -> tensor<2x4xf32> {
    %0 = kiln.layer_norm %x, %g epsilon 1.0e-05
        : (tensor<2x4xf32>, tensor<?xf32>) -> tensor<2x4xf32>
    return %0 : tensor<2x4xf32>
  }
)mlir",
      {normInput(), ReferenceTensor({3})})));
  EXPECT_EQ(diagnosticText(), "expected gamma size (the input's last "
                              "dimension) to be 4, got 3\n");
}

TEST_F(NormsTest, RmsNormDividesByTheRootMeanSquare) {
  std::optional<ReferenceTensor> y = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x2xf32>, %g: tensor<2xf32>) -> tensor<2x2xf32> {
    %0 = kiln.rms_norm %x, %g epsilon 1.0e-05
        : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {ReferenceTensor({2, 2}, {3, 4, 0, 1}), ReferenceTensor({2}, {1, 2})});
  ASSERT_TRUE(y);
  // Mean squares: (9 + 16) / 2 = 12.5 and (0 + 1) / 2 = 0.5; no centring.
  double r0 = std::sqrt(12.5 + kEpsilon), r1 = std::sqrt(0.5 + kEpsilon);
  EXPECT_TRUE(isTensorNear(*y, {2, 2}, {3 / r0, 2 * 4 / r0, 0, 2 * 1 / r1}));
}

TEST_F(NormsTest, RmsNormAddsTheGammaOffsetToEveryScale) {
  std::optional<ReferenceTensor> y = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<1x2xf32>, %g: tensor<2xf32>) -> tensor<1x2xf32> {
    %0 = kiln.rms_norm %x, %g epsilon 1.0e-05 gamma_offset 1.0
        : (tensor<1x2xf32>, tensor<2xf32>) -> tensor<1x2xf32>
    return %0 : tensor<1x2xf32>
  }
)mlir",
      {ReferenceTensor({1, 2}, {3, 4}), ReferenceTensor({2}, {0, -0.5})});
  ASSERT_TRUE(y);
  // Scales 1 + 0 and 1 - 0.5, as Gemma stores them.
  double r = std::sqrt(12.5 + kEpsilon);
  EXPECT_TRUE(isTensorNear(*y, {1, 2}, {3 / r, 0.5 * 4 / r}));
}

TEST_F(NormsTest, AddLayerNormReturnsTheSumAndItsNorm) {
  FailureOr<std::vector<ReferenceTensor>> results = evaluate(
      R"mlir(
  func.func @test(%x: tensor<2x4xf32>, %r: tensor<2x4xf32>, %g: tensor<4xf32>,
                  %b: tensor<4xf32>) -> (tensor<2x4xf32>, tensor<2x4xf32>) {
    %sum, %y = kiln.add_layer_norm %x, %r, %g, %b epsilon 1.0e-05
        : (tensor<2x4xf32>, tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>)
        -> (tensor<2x4xf32>, tensor<2x4xf32>)
    return %sum, %y : tensor<2x4xf32>, tensor<2x4xf32>
  }
)mlir",
      {ReferenceTensor({2, 4}, {0, 1, 2, 3, 1, 1, 1, 1}),
       ReferenceTensor({2, 4}, {1, 1, 1, 1, 1, 1, 1, 1}), normGamma(),
       normBeta()});
  ASSERT_TRUE(succeeded(results)) << diagnosticText();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_TRUE(isTensorNear((*results)[0], normInput(), 0.0));
  EXPECT_TRUE(isTensorNear((*results)[1], {2, 4}, expectedLayerNorm(true)));
}

TEST_F(NormsTest, AddRmsNormReturnsTheSumAndItsNorm) {
  FailureOr<std::vector<ReferenceTensor>> results = evaluate(
      R"mlir(
  func.func @test(%x: tensor<1x2xf32>, %r: tensor<1x2xf32>, %g: tensor<2xf32>)
      -> (tensor<1x2xf32>, tensor<1x2xf32>) {
    %sum, %y = kiln.add_rms_norm %x, %r, %g epsilon 1.0e-05
        : (tensor<1x2xf32>, tensor<1x2xf32>, tensor<2xf32>)
        -> (tensor<1x2xf32>, tensor<1x2xf32>)
    return %sum, %y : tensor<1x2xf32>, tensor<1x2xf32>
  }
)mlir",
      {ReferenceTensor({1, 2}, {1, 2}), ReferenceTensor({1, 2}, {2, 2}),
       ReferenceTensor({2}, {1, 2})});
  ASSERT_TRUE(succeeded(results)) << diagnosticText();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_TRUE(isTensorNear((*results)[0], {1, 2}, {3, 4}, 0.0));
  double r = std::sqrt(12.5 + kEpsilon);
  EXPECT_TRUE(isTensorNear((*results)[1], {1, 2}, {3 / r, 2 * 4 / r}));
}

TEST_F(NormsTest, AddNormRejectsAResidualOfAnotherRunTimeShape) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%x: tensor<?x2xf32>, %r: tensor<?x2xf32>, %g: tensor<2xf32>)
      -> (tensor<?x2xf32>, tensor<?x2xf32>) {
    %sum, %y = kiln.add_rms_norm %x, %r, %g epsilon 1.0e-05
        : (tensor<?x2xf32>, tensor<?x2xf32>, tensor<2xf32>)
        -> (tensor<?x2xf32>, tensor<?x2xf32>)
    return %sum, %y : tensor<?x2xf32>, tensor<?x2xf32>
  }
)mlir",
      {ReferenceTensor({1, 2}), ReferenceTensor({3, 2}),
       ReferenceTensor({2})})));
  EXPECT_EQ(diagnosticText(), "expected residual shape 1x2, got 3x2\n");
}

} // namespace
} // namespace kiln
