//===- AttentionTest.cpp - Reference tests of softmax, masks, attention ---===//
//
// Softmax (including fully masked rows), the causal, sliding-window and
// padding masks (including the position offset when there are more keys
// than queries) and the fused kiln.attention with its masks and
// grouped-query head mapping. The mask tests of kiln.attention use zero
// queries, so that every visible key gets the same weight and each output
// is the plain mean of the visible values.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include <cmath>
#include <limits>
#include <string>

using namespace mlir;

namespace kiln {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

class SoftmaxTest : public ReferenceTest {};

TEST_F(SoftmaxTest, NormalisesExponentials) {
  std::optional<ReferenceTensor> p = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
    %0 = kiln.softmax %x axis 1 : tensor<2x3xf32>
    return %0 : tensor<2x3xf32>
  }
)mlir",
      // exp gives 1, 2, 3 in both rows; the second row would overflow
      // without subtracting its maximum first.
      {ReferenceTensor({2, 3}, {0, std::log(2.0), std::log(3.0), 1000,
                                1000 + std::log(2.0), 1000 + std::log(3.0)})});
  ASSERT_TRUE(p);
  EXPECT_TRUE(isTensorNear(*p, {2, 3},
                           {1.0 / 6, 2.0 / 6, 3.0 / 6, 1.0 / 6, 2.0 / 6,
                            3.0 / 6}));
}

TEST_F(SoftmaxTest, FullyMaskedRowsBecomeZeros) {
  std::optional<ReferenceTensor> p = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
    %0 = kiln.softmax %x axis 1 : tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {ReferenceTensor({2, 2}, {-kInf, -kInf, 5, -kInf})});
  ASSERT_TRUE(p);
  EXPECT_TRUE(isTensorNear(*p, {2, 2}, {0, 0, 1, 0}));
}

TEST_F(SoftmaxTest, NormalisesAlongTheGivenAxis) {
  std::optional<ReferenceTensor> p = evaluateOne(
      R"mlir(
  func.func @test(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
    %0 = kiln.softmax %x axis 0 : tensor<2x2xf32>
    return %0 : tensor<2x2xf32>
  }
)mlir",
      {ReferenceTensor({2, 2}, {0, 7, std::log(3.0), 7})});
  ASSERT_TRUE(p);
  // Columns [1, 3] / 4 and [1, 1] / 2.
  EXPECT_TRUE(isTensorNear(*p, {2, 2}, {0.25, 0.5, 0.75, 0.5}));
}

class MaskTest : public ReferenceTest {
protected:
  /// Applies `mask` (an op name and its attributes) to scores of ones of
  /// shape [queries, keys].
  std::optional<ReferenceTensor> maskOnes(llvm::StringRef mask,
                                          int64_t queries, int64_t keys) {
    std::string type = "tensor<" + std::to_string(queries) + "x" +
                       std::to_string(keys) + "xf32>";
    std::string source = "func.func @test(%s: " + type + ") -> " + type +
                         " {\n  %0 = " + mask.str() + " : " + type +
                         "\n  return %0 : " + type + "\n}\n";
    return evaluateOne(source,
                       {ReferenceTensor::getSplat({queries, keys}, 1.0)});
  }
};

TEST_F(MaskTest, CausalMaskHidesLaterKeys) {
  std::optional<ReferenceTensor> m = maskOnes("kiln.causal_mask %s", 3, 3);
  ASSERT_TRUE(m);
  EXPECT_TRUE(isTensorNear(*m, {3, 3},
                           {1, -kInf, -kInf, 1, 1, -kInf, 1, 1, 1}));
}

TEST_F(MaskTest, CausalMaskTreatsQueriesAsTheLatestPositions) {
  // Two queries over four keys sit at positions 2 and 3.
  std::optional<ReferenceTensor> m = maskOnes("kiln.causal_mask %s", 2, 4);
  ASSERT_TRUE(m);
  EXPECT_TRUE(isTensorNear(*m, {2, 4}, {1, 1, 1, -kInf, 1, 1, 1, 1}));
}

TEST_F(MaskTest, CausalMaskWithFewerKeysHidesEverythingFromEarlyQueries) {
  // Three queries over two keys sit at positions -1, 0 and 1.
  std::optional<ReferenceTensor> m = maskOnes("kiln.causal_mask %s", 3, 2);
  ASSERT_TRUE(m);
  EXPECT_TRUE(isTensorNear(*m, {3, 2}, {-kInf, -kInf, 1, -kInf, 1, 1}));
}

TEST_F(MaskTest, SlidingWindowMaskKeepsTheMostRecentKeys) {
  std::optional<ReferenceTensor> m =
      maskOnes("kiln.sliding_window_mask %s window 2", 4, 4);
  ASSERT_TRUE(m);
  EXPECT_TRUE(isTensorNear(*m, {4, 4},
                           {1,     -kInf, -kInf, -kInf, //
                            1,     1,     -kInf, -kInf, //
                            -kInf, 1,     1,     -kInf, //
                            -kInf, -kInf, 1,     1}));
}

/// Scores [batch 1, heads 1, queries 2, keys ?] and a [1, ?] padding mask.
constexpr const char *kPaddingMask = R"mlir(
  func.func @test(%s: tensor<1x1x2x?xf32>, %m: tensor<1x?xi64>)
      -> tensor<1x1x2x?xf32> {
    %0 = kiln.padding_mask %s, %m : tensor<1x1x2x?xf32>, tensor<1x?xi64>
    return %0 : tensor<1x1x2x?xf32>
  }
)mlir";

TEST_F(MaskTest, PaddingMaskHidesPaddedKeysFromEveryQuery) {
  std::optional<ReferenceTensor> m = evaluateOne(
      kPaddingMask, {ReferenceTensor({1, 1, 2, 3}, {1, 2, 3, 4, 5, 6}),
                     ReferenceTensor({1, 3}, {1, 0, 1})});
  ASSERT_TRUE(m);
  EXPECT_TRUE(isTensorNear(*m, {1, 1, 2, 3}, {1, -kInf, 3, 4, -kInf, 6}));
}

TEST_F(MaskTest, PaddingMaskRejectsAMaskOfAnotherKeyCount) {
  EXPECT_TRUE(failed(evaluate(kPaddingMask, {ReferenceTensor({1, 1, 2, 3}),
                                             ReferenceTensor({1, 2})})));
  EXPECT_EQ(diagnosticText(), "expected attention mask shape 1x3, got 1x2\n");
}

class FusedAttentionTest : public ReferenceTest {
protected:
  /// Runs kiln.attention (scale 1, `attributes` such as `mask causal`) with
  /// one head of size 1, zero queries and keys, and values `values` (one per
  /// key), optionally with a key padding mask.
  std::optional<ReferenceTensor>
  averageVisibleValues(llvm::StringRef attributes, int64_t queries,
                       std::vector<double> values,
                       std::optional<std::vector<double>> padding = {}) {
    auto keys = static_cast<int64_t>(values.size());
    std::string qType = "tensor<1x1x" + std::to_string(queries) + "x1xf32>";
    std::string kType = "tensor<1x1x" + std::to_string(keys) + "x1xf32>";
    std::string mType = "tensor<1x" + std::to_string(keys) + "xi64>";
    std::string source =
        "func.func @test(%q: " + qType + ", %k: " + kType + ", %v: " + kType +
        (padding ? ", %m: " + mType : "") + ") -> " + qType +
        " {\n  %0 = kiln.attention %q, %k, %v " +
        (padding ? "key_padding %m " : "") + "scale 1.0 " + attributes.str() +
        " : (" + qType + ", " + kType + ", " + kType +
        (padding ? ", " + mType : "") + ") -> " + qType +
        "\n  return %0 : " + qType + "\n}\n";
    std::vector<ReferenceTensor> arguments = {
        ReferenceTensor({1, 1, queries, 1}), ReferenceTensor({1, 1, keys, 1}),
        ReferenceTensor({1, 1, keys, 1}, std::move(values))};
    if (padding)
      arguments.push_back(ReferenceTensor({1, keys}, std::move(*padding)));
    return evaluateOne(source, arguments);
  }
};

TEST_F(FusedAttentionTest, WeightsValuesBySoftmaxOfScaledScores) {
  std::optional<ReferenceTensor> o = evaluateOne(
      R"mlir(
  func.func @test(%q: tensor<1x1x1x2xf32>, %k: tensor<1x1x2x2xf32>,
                  %v: tensor<1x1x2x2xf32>) -> tensor<1x1x1x2xf32> {
    %0 = kiln.attention %q, %k, %v scale 0.5
        : (tensor<1x1x1x2xf32>, tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>)
        -> tensor<1x1x1x2xf32>
    return %0 : tensor<1x1x1x2xf32>
  }
)mlir",
      {ReferenceTensor({1, 1, 1, 2}, {1, 1}),
       ReferenceTensor({1, 1, 2, 2}, {1, 0, 0, 2}),
       ReferenceTensor({1, 1, 2, 2}, {1, 10, 3, 30})});
  ASSERT_TRUE(o);
  // Scaled scores 0.5 * [1, 2]: weights 1 / (1 + e^0.5) and
  // e^0.5 / (1 + e^0.5).
  double p0 = 1 / (1 + std::exp(0.5)), p1 = 1 - p0;
  EXPECT_TRUE(isTensorNear(*o, {1, 1, 1, 2},
                           {p0 * 1 + p1 * 3, p0 * 10 + p1 * 30}));
}

TEST_F(FusedAttentionTest, CausalQueriesAverageEarlierValues) {
  std::optional<ReferenceTensor> o =
      averageVisibleValues("mask causal", 4, {1, 2, 4, 8});
  ASSERT_TRUE(o);
  EXPECT_TRUE(isTensorNear(*o, {1, 1, 4, 1},
                           {1, 1.5, 7.0 / 3, 15.0 / 4}));
}

TEST_F(FusedAttentionTest, SlidingWindowQueriesAverageRecentValues) {
  std::optional<ReferenceTensor> o =
      averageVisibleValues("mask sliding_window window 2", 4, {1, 2, 4, 8});
  ASSERT_TRUE(o);
  EXPECT_TRUE(isTensorNear(*o, {1, 1, 4, 1}, {1, 1.5, 3, 6}));
}

TEST_F(FusedAttentionTest, CausalQueriesAreTheLatestPositions) {
  std::optional<ReferenceTensor> o =
      averageVisibleValues("mask causal", 2, {1, 2, 4, 8});
  ASSERT_TRUE(o);
  EXPECT_TRUE(isTensorNear(*o, {1, 1, 2, 1}, {7.0 / 3, 15.0 / 4}));
}

TEST_F(FusedAttentionTest, PaddingAndCausalMasksCombine) {
  std::optional<ReferenceTensor> o = averageVisibleValues(
      "mask causal", 2, {1, 2, 4, 8}, std::vector<double>{1, 1, 0, 1});
  ASSERT_TRUE(o);
  EXPECT_TRUE(isTensorNear(*o, {1, 1, 2, 1}, {1.5, 11.0 / 3}));
}

TEST_F(FusedAttentionTest, PaddingAloneHidesKeysFromEveryQuery) {
  std::optional<ReferenceTensor> o =
      averageVisibleValues("", 2, {1, 2, 4}, std::vector<double>{0, 1, 1});
  ASSERT_TRUE(o);
  EXPECT_TRUE(isTensorNear(*o, {1, 1, 2, 1}, {3, 3}));
}

TEST_F(FusedAttentionTest, FullyMaskedQueriesGiveZeros) {
  // Three queries over two keys sit at positions -1, 0 and 1: query 0 sees
  // no key, query 1 sees key 0, and the padding hides key 1 from query 2.
  std::optional<ReferenceTensor> o = averageVisibleValues(
      "mask causal", 3, {2, 4}, std::vector<double>{1, 0});
  ASSERT_TRUE(o);
  EXPECT_TRUE(isTensorNear(*o, {1, 1, 3, 1}, {0, 2, 2}));
}

/// Four query heads over two key/value heads, one key whose value is the
/// number of its key/value head.
constexpr const char *kGroupedQueryAttention = R"mlir(
  func.func @test(%q: tensor<1x?x1x1xf32>, %k: tensor<1x?x1x1xf32>,
                  %v: tensor<1x?x1x1xf32>) -> tensor<1x?x1x1xf32> {
    %0 = kiln.attention %q, %k, %v scale 1.0
        : (tensor<1x?x1x1xf32>, tensor<1x?x1x1xf32>, tensor<1x?x1x1xf32>)
        -> tensor<1x?x1x1xf32>
    return %0 : tensor<1x?x1x1xf32>
  }
)mlir";

TEST_F(FusedAttentionTest, ConsecutiveQueryHeadsShareAKeyValueHead) {
  std::optional<ReferenceTensor> o = evaluateOne(
      kGroupedQueryAttention,
      {ReferenceTensor({1, 4, 1, 1}), ReferenceTensor({1, 2, 1, 1}),
       ReferenceTensor({1, 2, 1, 1}, {10, 20})});
  ASSERT_TRUE(o);
  // Query head h uses key/value head h / (4 / 2).
  EXPECT_TRUE(isTensorNear(*o, {1, 4, 1, 1}, {10, 10, 20, 20}));
}

TEST_F(FusedAttentionTest, RejectsQueryHeadsThatAreNoMultipleOfKvHeads) {
  EXPECT_TRUE(failed(evaluate(
      kGroupedQueryAttention,
      {ReferenceTensor({1, 3, 1, 1}), ReferenceTensor({1, 2, 1, 1}),
       ReferenceTensor({1, 2, 1, 1})})));
  EXPECT_EQ(diagnosticText(), "expected query heads 3 to be a multiple of "
                              "key/value heads 2\n");
}

} // namespace
} // namespace kiln
