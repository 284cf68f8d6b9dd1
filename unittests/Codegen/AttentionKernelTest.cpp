//===- AttentionKernelTest.cpp - kiln.attention kernels -------------------===//
//
// The fused attention kernel against the reference for every mask kind,
// key padding, grouped- and multi-query heads, fewer or more queries than
// keys (rows with no visible key must be zeros) and a value size other
// than the head size. Sequences of 70 with the default key tile of 64, and
// an explicit schedule with tiles of 8, make the online softmax merge
// several key tiles, partial ones included.
//
// Tolerance: scores are dot products of 16 N(0, 1) pairs scaled by 1/4 and
// the outputs averages of N(0, 1) values; f32 rounding in the exponentials
// and the rescaling stays below 1e-5 of the largest output.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// A function applying kiln.attention to [2, heads, ?, 16] operands with
/// `attributes` (mask, window) and optionally a [2, ?] key padding mask.
std::string attentionFunction(int queryHeads, int kvHeads,
                              const std::string &attributes, bool hasKeyPadding,
                              int valueDim = 16,
                              const std::string &queries = "?") {
  std::string q =
      "tensor<2x" + std::to_string(queryHeads) + "x" + queries + "x16xf32>";
  std::string k = "tensor<2x" + std::to_string(kvHeads) + "x?x16xf32>";
  std::string v = "tensor<2x" + std::to_string(kvHeads) + "x?x" +
                  std::to_string(valueDim) + "xf32>";
  std::string o = "tensor<2x" + std::to_string(queryHeads) + "x" + queries +
                  "x" + std::to_string(valueDim) + "xf32>";
  std::string padding = hasKeyPadding ? ", %m: tensor<2x?xi64>" : "";
  std::string paddingOperand = hasKeyPadding ? " key_padding %m" : "";
  std::string paddingType = hasKeyPadding ? ", tensor<2x?xi64>" : "";
  return "func.func @f(%q: " + q + ", %k: " + k + ", %v: " + v + padding +
         ") -> " + o + " {\n  %o = kiln.attention %q, %k, %v" + paddingOperand +
         " scale 0.25 " + attributes + " : (" + q + ", " + k + ", " + v +
         paddingType + ") -> " + o + "\n  return %o : " + o + "\n}";
}

TEST(AttentionKernelTest, NoMask) {
  expectKernelMatchesReference(attentionFunction(2, 2, "", false),
                               {{5, 5, 5}, {70, 70, 70}});
}

TEST(AttentionKernelTest, Causal) {
  expectKernelMatchesReference(attentionFunction(2, 2, "mask causal", false),
                               {{70, 70, 70}, {9, 9, 9}});
}

TEST(AttentionKernelTest, SlidingWindow) {
  expectKernelMatchesReference(
      attentionFunction(2, 2, "mask sliding_window window 5", false),
      {{70, 70, 70}, {11, 11, 11}});
}

TEST(AttentionKernelTest, KeyPaddingWithCausalMask) {
  expectKernelMatchesReference(attentionFunction(2, 2, "mask causal", true),
                               {{70, 70, 70}, {8, 8, 8}});
}

TEST(AttentionKernelTest, KeyPaddingWithoutStructuralMask) {
  expectKernelMatchesReference(attentionFunction(2, 2, "", true),
                               {{13, 13, 13}, {6, 6, 6}});
}

TEST(AttentionKernelTest, GroupedQueryAttention) {
  expectKernelMatchesReference(attentionFunction(4, 2, "mask causal", false),
                               {{70, 70, 70}, {7, 7, 7}});
}

TEST(AttentionKernelTest, MultiQueryAttention) {
  expectKernelMatchesReference(attentionFunction(4, 1, "", true),
                               {{10, 10, 10}, {3, 3, 3}});
}

TEST(AttentionKernelTest, ValueSizeDiffersFromHeadSize) {
  expectKernelMatchesReference(attentionFunction(2, 2, "mask causal", false,
                                                 /*valueDim=*/8),
                               {{9, 9, 9}, {4, 4, 4}});
}

TEST(AttentionKernelTest, FewerOrMoreQueriesThanKeys) {
  // Five queries are the latest positions: with three keys the first two
  // queries see none and must yield zeros.
  expectKernelMatchesReference(attentionFunction(2, 2, "mask causal", false,
                                                 /*valueDim=*/16,
                                                 /*queries=*/"5"),
                               {{0, 0, 12}, {0, 0, 3}});
}

TEST(AttentionKernelTest, SmallTilesMergeManyKeyTiles) {
  Schedule schedule;
  schedule.set("vector", 8);
  schedule.set("query_tile", 4);
  schedule.set("key_tile", 8);
  schedule.set("parallel", 1);
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(
      attentionFunction(4, 2, "mask sliding_window window 6", true), schedule);
  ASSERT_TRUE(kernel);
  kernel->expectMatchesReference({29, 29, 29});
  kernel->expectMatchesReference({3, 3, 3});
}

} // namespace
