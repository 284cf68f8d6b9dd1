//===- LinearAlgebraTest.cpp - Reference tests of linear and matmul -------===//
//
// Linear layers (weight [out, in], bias, the fused epilogue in the order
// `activation(x * W^T + bias) + residual`) and batched matrix products with
// each transpose, against products worked out by hand.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include <string>

using namespace mlir;

namespace kiln {
namespace {

class LinearAlgebraTest : public ReferenceTest {};

/// x = [[1, 2], [3, -1]].
ReferenceTensor linearInput() {
  return ReferenceTensor({2, 2}, {1, 2, 3, -1});
}

/// W = [[1, 0], [0, 1], [1, 1]]: out_features 3, in_features 2.
ReferenceTensor linearWeight() {
  return ReferenceTensor({3, 2}, {1, 0, 0, 1, 1, 1});
}

/// bias = [0.5, -1, 0].
ReferenceTensor linearBias() { return ReferenceTensor({3}, {0.5, -1, 0}); }

TEST_F(LinearAlgebraTest, LinearMultipliesByTheTransposedWeightAndAddsBias) {
  std::optional<ReferenceTensor> y = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x2xf32>, %w: tensor<3x2xf32>,
                  %b: tensor<3xf32>) -> tensor<2x3xf32> {
    %0 = kiln.linear %x, %w bias %b
        : (tensor<2x2xf32>, tensor<3x2xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
)mlir",
      {linearInput(), linearWeight(), linearBias()});
  ASSERT_TRUE(y);
  // Row 0: [1, 2, 1 + 2] + bias; row 1: [3, -1, 3 - 1] + bias.
  EXPECT_TRUE(isTensorNear(*y, {2, 3}, {1.5, 1, 3, 3.5, -2, 2}));
}

TEST_F(LinearAlgebraTest, LinearEpilogueActivatesBeforeTheResidualAdd) {
  std::optional<ReferenceTensor> y = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x2xf32>, %w: tensor<3x2xf32>, %b: tensor<3xf32>,
                  %r: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %0 = kiln.linear %x, %w bias %b activation relu residual %r
        : (tensor<2x2xf32>, tensor<3x2xf32>, tensor<3xf32>, tensor<2x3xf32>)
        -> tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
)mlir",
      {linearInput(), linearWeight(), linearBias(),
       ReferenceTensor({2, 3}, {10, 20, 30, 40, 50, 60})});
  ASSERT_TRUE(y);
  // relu([1.5, 1, 3]) + [10, 20, 30]; relu([3.5, -2, 2]) + [40, 50, 60]:
  // the -2 is clamped before the residual is added.
  EXPECT_TRUE(isTensorNear(*y, {2, 3}, {11.5, 21, 33, 43.5, 50, 62}));
}

TEST_F(LinearAlgebraTest, LinearAppliesToTheLastDimensionWithoutBias) {
  std::optional<ReferenceTensor> y = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<1x?x2xf32>, %w: tensor<3x2xf32>)
      -> tensor<1x?x3xf32> {
    %0 = kiln.linear %x, %w
        : (tensor<1x?x2xf32>, tensor<3x2xf32>) -> tensor<1x?x3xf32>
    return %0 : tensor<1x?x3xf32>
  }
)mlir",
      {ReferenceTensor({1, 2, 2}, {1, 2, 3, -1}), linearWeight()});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {1, 2, 3}, {1, 2, 3, 3, -1, 2}));
}

TEST_F(LinearAlgebraTest, LinearRejectsABiasOfTheWrongRunTimeSize) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%x: tensor<2x2xf32>, %w: tensor<?x2xf32>, %b: tensor<3xf32>)
      -> tensor<2x?xf32> {
    %0 = kiln.linear %x, %w bias %b
        : (tensor<2x2xf32>, tensor<?x2xf32>, tensor<3xf32>) -> tensor<2x?xf32>
    return %0 : tensor<2x?xf32>
  }
)mlir",
      {linearInput(), ReferenceTensor({2, 2}), linearBias()})));
  EXPECT_EQ(diagnosticText(),
            "expected bias size (out_features) to be 2, got 3\n");
}

class MatmulTest : public ReferenceTest {
protected:
  /// Multiplies A = [[1, 2], [3, 4]] by B = [[5, 6], [7, 8]] with the
  /// transpose `flags` of kiln.matmul.
  std::optional<ReferenceTensor> multiply(llvm::StringRef flags) {
    std::string source =
        "func.func @test(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>)\n"
        "    -> tensor<2x2xf32> {\n"
        "  %0 = kiln.matmul %a, %b " +
        flags.str() +
        "\n"
        "      : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>\n"
        "  return %0 : tensor<2x2xf32>\n"
        "}\n";
    return evaluateOne(source, {ReferenceTensor({2, 2}, {1, 2, 3, 4}),
                                ReferenceTensor({2, 2}, {5, 6, 7, 8})});
  }
};

TEST_F(MatmulTest, MultipliesMatrices) {
  std::optional<ReferenceTensor> c = multiply("");
  ASSERT_TRUE(c);
  EXPECT_TRUE(isTensorNear(*c, {2, 2}, {19, 22, 43, 50}));
}

TEST_F(MatmulTest, TransposesTheRhs) {
  std::optional<ReferenceTensor> c = multiply("transpose_rhs");
  ASSERT_TRUE(c);
  EXPECT_TRUE(isTensorNear(*c, {2, 2}, {17, 23, 39, 53}));
}

TEST_F(MatmulTest, TransposesTheLhs) {
  std::optional<ReferenceTensor> c = multiply("transpose_lhs");
  ASSERT_TRUE(c);
  EXPECT_TRUE(isTensorNear(*c, {2, 2}, {26, 30, 38, 44}));
}

TEST_F(MatmulTest, TransposesBoth) {
  // A^T B^T = (B A)^T, and B A = [[23, 34], [31, 46]].
  std::optional<ReferenceTensor> c = multiply("transpose_lhs transpose_rhs");
  ASSERT_TRUE(c);
  EXPECT_TRUE(isTensorNear(*c, {2, 2}, {23, 31, 34, 46}));
}

TEST_F(MatmulTest, MultipliesEachBatchSeparately) {
  std::optional<ReferenceTensor> c = evaluateOne(
      R"mlir(
  func.func @test(%a: tensor<2x1x2xf32>, %b: tensor<2x2x3xf32>)
      -> tensor<2x1x3xf32> {
    %0 = kiln.matmul %a, %b
        : (tensor<2x1x2xf32>, tensor<2x2x3xf32>) -> tensor<2x1x3xf32>
    return %0 : tensor<2x1x3xf32>
  }
)mlir",
      {ReferenceTensor({2, 1, 2}, {1, 2, 3, 4}),
       ReferenceTensor({2, 2, 3}, {1, 0, 1, 0, 1, 1, 1, 1, 1, 2, 2, 2})});
  ASSERT_TRUE(c);
  EXPECT_TRUE(isTensorNear(*c, {2, 1, 3}, {1, 2, 3, 11, 11, 11}));
}

TEST_F(MatmulTest, RejectsMismatchedRunTimeContractionSizes) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%a: tensor<2x?xf32>, %b: tensor<?x2xf32>) -> tensor<2x2xf32> {
    %0 = kiln.matmul %a, %b
        : (tensor<2x?xf32>, tensor<?x2xf32>) -> tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {ReferenceTensor({2, 3}), ReferenceTensor({2, 2})})));
  EXPECT_EQ(diagnosticText(),
            "expected rhs contraction size (the lhs's) to be 3, got 2\n");
}

} // namespace
} // namespace kiln
