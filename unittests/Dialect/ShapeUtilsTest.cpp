//===- ShapeUtilsTest.cpp - Tests of shape arithmetic ---------------------===//

#include "dialect/ShapeUtils.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace kiln;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamic;

TEST(ShapeUtilsTest, DynamicDimsAreCompatibleWithAnything) {
  EXPECT_TRUE(areDimsCompatible(3, 3));
  EXPECT_TRUE(areDimsCompatible(kDynamic, 3));
  EXPECT_TRUE(areDimsCompatible(3, kDynamic));
  EXPECT_FALSE(areDimsCompatible(3, 4));
}

TEST(ShapeUtilsTest, ShapesOfDifferentRankAreIncompatible) {
  EXPECT_TRUE(areShapesCompatible({1, kDynamic, 768}, {1, 7, 768}));
  EXPECT_FALSE(areShapesCompatible({1, 7}, {1, 7, 1}));
  EXPECT_FALSE(areShapesCompatible({1, 7, 768}, {1, 7, 512}));
}

TEST(ShapeUtilsTest, BroadcastAlignsTrailingDimensions) {
  auto shape = broadcastShapes({2, 12, 5, 5}, {5});
  ASSERT_TRUE(shape.has_value());
  EXPECT_EQ(*shape, (SmallVector<int64_t>{2, 12, 5, 5}));
}

TEST(ShapeUtilsTest, BroadcastStretchesOnes) {
  auto shape = broadcastShapes({2, 1, 5, 5}, {1, 12, 1, 5});
  ASSERT_TRUE(shape.has_value());
  EXPECT_EQ(*shape, (SmallVector<int64_t>{2, 12, 5, 5}));
}

TEST(ShapeUtilsTest, BroadcastKeepsDynamicAgainstOne) {
  auto shape = broadcastShapes({kDynamic, 1}, {1, kDynamic});
  ASSERT_TRUE(shape.has_value());
  EXPECT_EQ(*shape, (SmallVector<int64_t>{kDynamic, kDynamic}));
}

TEST(ShapeUtilsTest, BroadcastPrefersStaticOverDynamic) {
  auto shape = broadcastShapes({kDynamic}, {8});
  ASSERT_TRUE(shape.has_value());
  EXPECT_EQ(*shape, (SmallVector<int64_t>{8}));
}

TEST(ShapeUtilsTest, BroadcastRejectsMismatchedSizes) {
  EXPECT_FALSE(broadcastShapes({2, 3}, {4, 3}).has_value());
}

TEST(ShapeUtilsTest, FormatsShapesLikeTensorTypes) {
  EXPECT_EQ(formatShape({1, kDynamic, 768}), "1x?x768");
  EXPECT_EQ(formatShape({}), "");
  EXPECT_EQ(formatDim(kDynamic), "?");
}

} // namespace
