//===- LayoutTest.cpp - Reference tests of layout ops ---------------------===//
//
// Head split and merge, repeat_kv, transposes, reshapes with dynamic
// dimensions and slices, on small tensors whose elements are their own
// row-major positions so that every permutation can be read off by hand.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include <numeric>

using namespace mlir;

namespace kiln {
namespace {

class LayoutTest : public ReferenceTest {};

/// A tensor of `shape` whose elements are 0, 1, 2, ... in row-major order.
ReferenceTensor iota(llvm::ArrayRef<int64_t> shape) {
  std::vector<double> elements(ReferenceTensor::getNumElements(shape));
  std::iota(elements.begin(), elements.end(), 0.0);
  return ReferenceTensor(shape, std::move(elements));
}

TEST_F(LayoutTest, SplitHeadsMovesHeadsBeforeTheSequence) {
  std::optional<ReferenceTensor> heads = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<1x?x4xf32>) -> tensor<1x2x?x2xf32> {
    %0 = kiln.split_heads %x : tensor<1x?x4xf32> -> tensor<1x2x?x2xf32>
    return %0 : tensor<1x2x?x2xf32>
  }
)mlir",
      {iota({1, 2, 4})});
  ASSERT_TRUE(heads);
  // Token 0 is [0, 1 | 2, 3] and token 1 is [4, 5 | 6, 7]: head 0 holds the
  // first halves, head 1 the second.
  EXPECT_TRUE(isTensorNear(*heads, {1, 2, 2, 2}, {0, 1, 4, 5, 2, 3, 6, 7}));
}

TEST_F(LayoutTest, SplitHeadsRejectsAWidthOtherThanHeadsTimesHeadSize) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%x: tensor<1x2x?xf32>) -> tensor<1x2x2x2xf32> {
    %0 = kiln.split_heads %x : tensor<1x2x?xf32> -> tensor<1x2x2x2xf32>
    return %0 : tensor<1x2x2x2xf32>
  }
)mlir",
      {iota({1, 2, 6})})));
  EXPECT_EQ(diagnosticText(),
            "expected input width (heads x head size) to be 4, got 6\n");
}

TEST_F(LayoutTest, MergeHeadsConcatenatesHeadsPerToken) {
  std::optional<ReferenceTensor> merged = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<1x2x?x2xf32>) -> tensor<1x?x4xf32> {
    %0 = kiln.merge_heads %x : tensor<1x2x?x2xf32> -> tensor<1x?x4xf32>
    return %0 : tensor<1x?x4xf32>
  }
)mlir",
      {ReferenceTensor({1, 2, 2, 2}, {0, 1, 4, 5, 2, 3, 6, 7})});
  ASSERT_TRUE(merged);
  EXPECT_TRUE(isTensorNear(*merged, {1, 2, 4}, {0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST_F(LayoutTest, RepeatKvRepeatsEachHeadInPlace) {
  std::optional<ReferenceTensor> repeated = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<1x2x1x2xf32>) -> tensor<1x4x1x2xf32> {
    %0 = kiln.repeat_kv %x : tensor<1x2x1x2xf32> -> tensor<1x4x1x2xf32>
    return %0 : tensor<1x4x1x2xf32>
  }
)mlir",
      {iota({1, 2, 1, 2})});
  ASSERT_TRUE(repeated);
  EXPECT_TRUE(isTensorNear(*repeated, {1, 4, 1, 2}, {0, 1, 0, 1, 2, 3, 2, 3}));
}

TEST_F(LayoutTest, TransposeSwapsMatrixDimensions) {
  std::optional<ReferenceTensor> transposed = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x3xf32>) -> tensor<3x2xf32> {
    %0 = kiln.transpose %x [1, 0] : tensor<2x3xf32> -> tensor<3x2xf32>
    return %0 : tensor<3x2xf32>
  }
)mlir",
      {iota({2, 3})});
  ASSERT_TRUE(transposed);
  EXPECT_TRUE(isTensorNear(*transposed, {3, 2}, {0, 3, 1, 4, 2, 5}));
}

TEST_F(LayoutTest, TransposeTakesOutputDimensionIFromPermutationI) {
  std::optional<ReferenceTensor> transposed = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x3x2xf32>) -> tensor<2x2x3xf32> {
    %0 = kiln.transpose %x [2, 0, 1] : tensor<2x3x2xf32> -> tensor<2x2x3xf32>
    return %0 : tensor<2x2x3xf32>
  }
)mlir",
      {iota({2, 3, 2})});
  ASSERT_TRUE(transposed);
  // output[a, b, c] = input[b, c, a], which holds 6b + 2c + a.
  EXPECT_TRUE(isTensorNear(*transposed, {2, 2, 3},
                           {0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11}));
}

TEST_F(LayoutTest, ReshapeMatchesDynamicDimensionsInOrder) {
  std::optional<ReferenceTensor> reshaped = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<?x6x?xf32>) -> tensor<?x2x3x?xf32> {
    %0 = kiln.reshape %x : tensor<?x6x?xf32> -> tensor<?x2x3x?xf32>
    return %0 : tensor<?x2x3x?xf32>
  }
)mlir",
      {iota({2, 6, 1})});
  ASSERT_TRUE(reshaped);
  EXPECT_TRUE(isTensorNear(*reshaped, iota({2, 2, 3, 1}), 0.0));
}

TEST_F(LayoutTest, SliceTakesARangeOfOneAxis) {
  std::optional<ReferenceTensor> slice = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x4xf32>) -> tensor<2x2xf32> {
    %0 = kiln.slice %x axis 1 offset 1 : tensor<2x4xf32> -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {iota({2, 4})});
  ASSERT_TRUE(slice);
  EXPECT_TRUE(isTensorNear(*slice, {2, 2}, {1, 2, 5, 6}));
}

TEST_F(LayoutTest, SliceAlongAnOuterAxisKeepsInnerRows) {
  std::optional<ReferenceTensor> slice = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<3x2xf32>) -> tensor<1x2xf32> {
    %0 = kiln.slice %x axis 0 offset 2 : tensor<3x2xf32> -> tensor<1x2xf32>
    return %0 : tensor<1x2xf32>
  }
)mlir",
      {iota({3, 2})});
  ASSERT_TRUE(slice);
  EXPECT_TRUE(isTensorNear(*slice, {1, 2}, {4, 5}));
}

TEST_F(LayoutTest, SliceRejectsARangeBeyondTheRunTimeSize) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%x: tensor<1x?xf32>) -> tensor<1x2xf32> {
    %0 = kiln.slice %x axis 1 offset 2 : tensor<1x?xf32> -> tensor<1x2xf32>
    return %0 : tensor<1x2xf32>
  }
)mlir",
      {iota({1, 3})})));
  EXPECT_EQ(diagnosticText(), "slice [2, 4) exceeds the size 3 of axis 1\n");
}

TEST_F(LayoutTest, NegativeOffsetTakesTheLastEntryOfARunTimeAxis) {
  const char *lastPosition = R"mlir(
  func.func @test(%x: tensor<2x?x3xf32>) -> tensor<2x1x3xf32> {
    %0 = kiln.slice %x axis 1 offset -1
        : tensor<2x?x3xf32> -> tensor<2x1x3xf32>
    return %0 : tensor<2x1x3xf32>
  }
)mlir";
  // Two run-time lengths: the start follows the length, not the type.
  std::optional<ReferenceTensor> ofFour =
      evaluateOne(lastPosition, {iota({2, 4, 3})});
  ASSERT_TRUE(ofFour);
  EXPECT_TRUE(isTensorNear(*ofFour, {2, 1, 3}, {9, 10, 11, 21, 22, 23}));
  std::optional<ReferenceTensor> ofOne =
      evaluateOne(lastPosition, {iota({2, 1, 3})});
  ASSERT_TRUE(ofOne);
  EXPECT_TRUE(isTensorNear(*ofOne, iota({2, 1, 3}), 0.0));
}

TEST_F(LayoutTest, NegativeOffsetCountsFromTheEndOfAStaticAxis) {
  std::optional<ReferenceTensor> slice = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x5xf32>) -> tensor<2x2xf32> {
    %0 = kiln.slice %x axis 1 offset -3 : tensor<2x5xf32> -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {iota({2, 5})});
  ASSERT_TRUE(slice);
  EXPECT_TRUE(isTensorNear(*slice, {2, 2}, {2, 3, 7, 8}));
}

TEST_F(LayoutTest, NegativeOffsetRejectsARangeBeforeTheRunTimeStart) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%x: tensor<1x?xf32>) -> tensor<1x2xf32> {
    %0 = kiln.slice %x axis 1 offset -4 : tensor<1x?xf32> -> tensor<1x2xf32>
    return %0 : tensor<1x2xf32>
  }
)mlir",
      {iota({1, 3})})));
  EXPECT_EQ(diagnosticText(), "slice [-1, 1) exceeds the size 3 of axis 1\n");
}

} // namespace
} // namespace kiln
