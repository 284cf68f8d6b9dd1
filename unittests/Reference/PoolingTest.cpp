//===- PoolingTest.cpp - Reference tests of mean pooling and L2 norm ------===//
//
// Mean pooling with and without an attention mask (including a sequence
// that the mask empties) and L2 normalisation with its epsilon clamp.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

using namespace mlir;

namespace kiln {
namespace {

class PoolingTest : public ReferenceTest {};

/// Two sequences of three 2-wide tokens: [[1, 2], [10, 4], [7, 9]] and
/// [[1, 1], [2, 2], [3, 3]].
ReferenceTensor tokens() {
  return ReferenceTensor({2, 3, 2}, {1, 2, 10, 4, 7, 9, 1, 1, 2, 2, 3, 3});
}

TEST_F(PoolingTest, MeanPoolAveragesEveryPositionWithoutAMask) {
  std::optional<ReferenceTensor> pooled = evaluateOne(
      R"mlir(
  func.func @test(%h: tensor<2x?x2xf32>) -> tensor<2x2xf32> {
    %0 = kiln.mean_pool %h : (tensor<2x?x2xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {tokens()});
  ASSERT_TRUE(pooled);
  EXPECT_TRUE(isTensorNear(*pooled, {2, 2}, {6, 5, 2, 2}));
}

TEST_F(PoolingTest, MeanPoolAveragesOnlyKeptPositions) {
  std::optional<ReferenceTensor> pooled = evaluateOne(
      R"mlir(
  func.func @test(%h: tensor<2x?x2xf32>, %m: tensor<2x?xi64>)
      -> tensor<2x2xf32> {
    %0 = kiln.mean_pool %h mask %m
        : (tensor<2x?x2xf32>, tensor<2x?xi64>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {tokens(), ReferenceTensor({2, 3}, {1, 0, 1, 0, 0, 0})});
  ASSERT_TRUE(pooled);
  // The first sequence averages tokens 0 and 2; the second keeps none and
  // pools to zeros.
  EXPECT_TRUE(isTensorNear(*pooled, {2, 2}, {4, 5.5, 0, 0}));
}

TEST_F(PoolingTest, L2NormalizeClampsTheNormAtEpsilon) {
  std::optional<ReferenceTensor> normalized = evaluateOne(
      R"mlir(
  func.func @test(%e: tensor<3x2xf32>) -> tensor<3x2xf32> {
    %0 = kiln.l2_normalize %e epsilon 1.0e-12 : tensor<3x2xf32>
    return %0 : tensor<3x2xf32>
  }
)mlir",
      {ReferenceTensor({3, 2}, {3, 4, 0, 0, 1e-13, 0})});
  ASSERT_TRUE(normalized);
  // Norms 5, 0 and 1e-13; the last two are divided by epsilon instead.
  EXPECT_TRUE(isTensorNear(*normalized, {3, 2}, {0.6, 0.8, 0, 0, 0.1, 0}));
}

} // namespace
} // namespace kiln
