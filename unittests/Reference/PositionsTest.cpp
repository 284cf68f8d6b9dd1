//===- PositionsTest.cpp - Reference tests of embeddings and positions ----===//
//
// Embedding lookups (and their range check), learned position tables,
// sinusoidal encodings and rotary embeddings in both pairings and with a
// partial rotary_dim, against angles worked out by hand. A frequency base
// of 100 over four features makes the two frequencies 1 and 1/10.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include <cmath>
#include <string>

using namespace mlir;

namespace kiln {
namespace {

class PositionsTest : public ReferenceTest {};

/// Looks up ids of shape [1, ?] in a 3x2 table.
constexpr const char *kEmbedding = R"mlir(
  func.func @test(%table: tensor<3x2xf32>, %ids: tensor<1x?xi64>)
      -> tensor<1x?x2xf32> {
    %0 = kiln.embedding %table[%ids]
        : tensor<3x2xf32>, tensor<1x?xi64> -> tensor<1x?x2xf32>
    return %0 : tensor<1x?x2xf32>
  }
)mlir";

/// Rows [0, 1], [10, 11] and [20, 21].
ReferenceTensor embeddingTable() {
  return ReferenceTensor({3, 2}, {0, 1, 10, 11, 20, 21});
}

TEST_F(PositionsTest, EmbeddingGathersTableRows) {
  std::optional<ReferenceTensor> x = evaluateOne(
      kEmbedding, {embeddingTable(), ReferenceTensor({1, 3}, {2, 0, 1})});
  ASSERT_TRUE(x);
  EXPECT_TRUE(isTensorNear(*x, {1, 3, 2}, {20, 21, 0, 1, 10, 11}));
}

TEST_F(PositionsTest, EmbeddingRejectsIdsPastTheTable) {
  EXPECT_TRUE(failed(evaluate(
      kEmbedding, {embeddingTable(), ReferenceTensor({1, 2}, {0, 3})})));
  EXPECT_EQ(diagnosticText(), "expected token ids in [0, 3) (the rows of the "
                              "embedding table), got 3\n");
}

TEST_F(PositionsTest, EmbeddingRejectsNegativeIds) {
  EXPECT_TRUE(failed(evaluate(
      kEmbedding, {embeddingTable(), ReferenceTensor({1, 1}, {-1})})));
  EXPECT_EQ(diagnosticText(), "expected token ids in [0, 3) (the rows of the "
                              "embedding table), got -1\n");
}

/// Adds a [3, 1] position table to a [?, ?, 1] input.
constexpr const char *kLearnedPositions = R"mlir(
  func.func @test(%x: tensor<?x?x1xf32>, %table: tensor<3x1xf32>)
      -> tensor<?x?x1xf32> {
    %0 = kiln.learned_positions %x, %table
        : tensor<?x?x1xf32>, tensor<3x1xf32>
    return %0 : tensor<?x?x1xf32>
  }
)mlir";

TEST_F(PositionsTest, LearnedPositionsAddTheRowOfEachPosition) {
  std::optional<ReferenceTensor> y = evaluateOne(
      kLearnedPositions, {ReferenceTensor({2, 2, 1}, {1, 2, 3, 4}),
                          ReferenceTensor({3, 1}, {10, 20, 30})});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {2, 2, 1}, {11, 22, 13, 24}));
}

TEST_F(PositionsTest, LearnedPositionsRejectSequencesLongerThanTheTable) {
  EXPECT_TRUE(failed(evaluate(kLearnedPositions,
                              {ReferenceTensor({1, 4, 1}),
                               ReferenceTensor({3, 1}, {10, 20, 30})})));
  EXPECT_EQ(diagnosticText(),
            "sequence length 4 exceeds the 3 rows of the position table\n");
}

/// Adds a [6, 1] position table at positions counted as RoBERTa counts them,
/// with padding id 1.
constexpr const char *kCountedPositions = R"mlir(
  func.func @test(%x: tensor<?x?x1xf32>, %table: tensor<6x1xf32>,
                  %ids: tensor<?x?xi64>) -> tensor<?x?x1xf32> {
    %0 = kiln.learned_positions %x, %table ids %ids padding_idx 1
        : tensor<?x?x1xf32>, tensor<6x1xf32>, tensor<?x?xi64>
    return %0 : tensor<?x?x1xf32>
  }
)mlir";

TEST_F(PositionsTest, CountedPositionsSkipPaddingTokens) {
  // Hugging Face's create_position_ids_from_input_ids gives
  // [[2, 3, 4, 1], [1, 1, 2, 3]]: right padding, then left padding.
  std::optional<ReferenceTensor> y = evaluateOne(
      kCountedPositions, {ReferenceTensor::getSplat({2, 4, 1}, 0.0),
                          ReferenceTensor({6, 1}, {0, 10, 20, 30, 40, 50}),
                          ReferenceTensor({2, 4}, {7, 8, 9, 1, 1, 1, 5, 0})});
  ASSERT_TRUE(y);
  EXPECT_TRUE(isTensorNear(*y, {2, 4, 1}, {20, 30, 40, 10, 10, 10, 20, 30}));
}

TEST_F(PositionsTest, CountedPositionsRejectTokensPastTheTable) {
  // Five tokens need rows 2 to 6 of a 6-row table.
  EXPECT_TRUE(failed(evaluate(
      kCountedPositions, {ReferenceTensor({1, 5, 1}), ReferenceTensor({6, 1}),
                          ReferenceTensor({1, 5}, {3, 3, 3, 3, 3})})));
  EXPECT_EQ(diagnosticText(),
            "position 6 of token 4 exceeds the 6 rows of the position table\n");
}

TEST_F(PositionsTest, SinusoidsInterleaveSinesAndCosines) {
  std::optional<ReferenceTensor> y = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<1x?x4xf32>) -> tensor<1x?x4xf32> {
    %0 = kiln.sinusoidal_positions %x base 100.0 : tensor<1x?x4xf32>
    return %0 : tensor<1x?x4xf32>
  }
)mlir",
      {ReferenceTensor::getSplat({1, 2, 4}, 1.0)});
  ASSERT_TRUE(y);
  // Position 0: sin 0, cos 0, sin 0, cos 0; position 1: angles 1 and 0.1.
  EXPECT_TRUE(isTensorNear(*y, {1, 2, 4},
                           {1, 2, 1, 2, 1 + std::sin(1.0), 1 + std::cos(1.0),
                            1 + std::sin(0.1), 1 + std::cos(0.1)}));
}

TEST_F(PositionsTest, SinusoidsRejectAnOddRunTimeWidth) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%x: tensor<1x1x?xf32>) -> tensor<1x1x?xf32> {
    %0 = kiln.sinusoidal_positions %x base 100.0 : tensor<1x1x?xf32>
    return %0 : tensor<1x1x?xf32>
  }
)mlir",
      {ReferenceTensor({1, 1, 3})})));
  EXPECT_EQ(diagnosticText(), "expected an even feature width, got 3\n");
}

class RopeTest : public ReferenceTest {
protected:
  /// Applies kiln.rope with theta 100 and `attributes` to two positions of
  /// one head, both holding [1, 2, 3, 4].
  std::optional<ReferenceTensor> rotate(llvm::StringRef attributes) {
    std::string source =
        "func.func @test(%x: tensor<1x1x?x4xf32>) -> tensor<1x1x?x4xf32> {\n"
        "  %0 = kiln.rope %x theta 100.0 " +
        attributes.str() +
        " : tensor<1x1x?x4xf32>\n"
        "  return %0 : tensor<1x1x?x4xf32>\n"
        "}\n";
    return evaluateOne(
        source, {ReferenceTensor({1, 1, 2, 4}, {1, 2, 3, 4, 1, 2, 3, 4})});
  }

  /// Whether `y` is [1, 2, 3, 4] at position 0 and, in the half style, the
  /// pairs (1, 3) and (2, 4) rotated by `first` and `second` at position 1.
  static ::testing::AssertionResult
  isHalfRotation(const ReferenceTensor &y, double first, double second) {
    double c1 = std::cos(first), s1 = std::sin(first);
    double c2 = std::cos(second), s2 = std::sin(second);
    return isTensorNear(y, {1, 1, 2, 4},
                        {1, 2, 3, 4, 1 * c1 - 3 * s1, 2 * c2 - 4 * s2,
                         3 * c1 + 1 * s1, 4 * c2 + 2 * s2});
  }
};

TEST_F(RopeTest, HalfStylePairsFeatureIWithIPlusHalf) {
  std::optional<ReferenceTensor> y = rotate("style half");
  ASSERT_TRUE(y);
  // Position 1 rotates (1, 3) by angle 1 and (2, 4) by angle 0.1.
  EXPECT_TRUE(isHalfRotation(*y, 1.0, 0.1));
}

TEST_F(RopeTest, InterleavedStylePairsNeighbours) {
  std::optional<ReferenceTensor> y = rotate("style interleaved");
  ASSERT_TRUE(y);
  // Position 1 rotates (1, 2) by angle 1 and (3, 4) by angle 0.1.
  double c1 = std::cos(1.0), s1 = std::sin(1.0);
  double c2 = std::cos(0.1), s2 = std::sin(0.1);
  EXPECT_TRUE(isTensorNear(*y, {1, 1, 2, 4},
                           {1, 2, 3, 4, 1 * c1 - 2 * s1, 2 * c1 + 1 * s1,
                            3 * c2 - 4 * s2, 4 * c2 + 3 * s2}));
}

TEST_F(RopeTest, RotaryDimRotatesOnlyTheLeadingFeatures) {
  std::optional<ReferenceTensor> y = rotate("style half rotary_dim 2");
  ASSERT_TRUE(y);
  // Two rotated features form one pair (1, 2) at frequency 1; 3 and 4 pass.
  double c1 = std::cos(1.0), s1 = std::sin(1.0);
  EXPECT_TRUE(isTensorNear(
      *y, {1, 1, 2, 4},
      {1, 2, 3, 4, 1 * c1 - 2 * s1, 2 * c1 + 1 * s1, 3, 4}));
}

TEST_F(RopeTest, LinearScalingDividesEveryFrequency) {
  std::optional<ReferenceTensor> y =
      rotate("style half scaling linear factor 2.0");
  ASSERT_TRUE(y);
  // Position 1 rotates (1, 3) by angle 1 / 2 and (2, 4) by angle 0.1 / 2.
  EXPECT_TRUE(isHalfRotation(*y, 0.5, 0.05));
}

TEST_F(RopeTest, Llama3ScalingBlendsTheMiddleBand) {
  // Wavelengths 2 pi and 20 pi against bands at 100 / 4 and 100 / 1: the
  // first frequency keeps its value and the second blends 0.1 / 8 and 0.1
  // with weight (100 / (20 pi) - 1) / 3 on 0.1 (Hugging Face's
  // _compute_llama3_parameters gives 0.02975352506846948).
  std::optional<ReferenceTensor> y =
      rotate("style half scaling llama3 factor 8.0 low_freq_factor 1.0 "
             "high_freq_factor 4.0 original_max_positions 100");
  ASSERT_TRUE(y);
  EXPECT_TRUE(isHalfRotation(*y, 1.0, 0.02975352506846948));
}

TEST_F(RopeTest, Llama3ScalingDividesTheLowBand) {
  // A wavelength of 20 pi exceeds 50 / 1: the frequency 0.1 becomes 0.1 / 8.
  std::optional<ReferenceTensor> y =
      rotate("style half scaling llama3 factor 8.0 low_freq_factor 1.0 "
             "high_freq_factor 4.0 original_max_positions 50");
  ASSERT_TRUE(y);
  EXPECT_TRUE(isHalfRotation(*y, 1.0, 0.0125));
}

TEST_F(RopeTest, RejectsARotaryDimPastTheRunTimeHeadSize) {
  EXPECT_TRUE(failed(evaluate(
      R"mlir(
  func.func @test(%x: tensor<1x1x1x?xf32>) -> tensor<1x1x1x?xf32> {
    %0 = kiln.rope %x theta 100.0 style half rotary_dim 4
        : tensor<1x1x1x?xf32>
    return %0 : tensor<1x1x1x?xf32>
  }
)mlir",
      {ReferenceTensor({1, 1, 1, 2})})));
  EXPECT_EQ(diagnosticText(),
            "expected rotary_dim to be at most the head size 2, got 4\n");
}

} // namespace
} // namespace kiln
