//===- WeightPackingTest.cpp - Tests of the packed weight layout ----------===//

#include "runtime/src/WeightPacking.h"

#include <gtest/gtest.h>

#include <vector>

using namespace kiln::runtime;

namespace {

TEST(WeightPackingTest, PanelsHoldColumnsContiguouslyAndPadWithZeros) {
  // A [5, 3] weight whose element [r][c] is 10 * r + c + 1.
  constexpr int64_t rows = 5, cols = 3, panelWidth = 2;
  std::vector<float> weight(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      weight[r * cols + c] = 10.0f * r + c + 1;
  ASSERT_EQ(getNumPanels(rows, panelWidth), 3);
  ASSERT_EQ(getPackedWeightSize(rows, cols, panelWidth), 18);
  std::vector<float> packed(18, -1.0f);
  packWeightPanels(weight.data(), rows, cols, panelWidth, packed.data());
  EXPECT_EQ(packed, (std::vector<float>{1, 11, 2, 12, 3, 13,  //
                                        21, 31, 22, 32, 23, 33, //
                                        41, 0, 42, 0, 43, 0}));
}

TEST(WeightPackingTest, MatchesTheDefinitionAcrossColumnBlocks) {
  // More columns than one cache block, and rows that fill no panel evenly.
  constexpr int64_t rows = 37, cols = 150, panelWidth = 16;
  std::vector<float> weight(rows * cols);
  for (size_t i = 0; i < weight.size(); ++i)
    weight[i] = static_cast<float>(i);
  std::vector<float> packed(getPackedWeightSize(rows, cols, panelWidth));
  packWeightPanels(weight.data(), rows, cols, panelWidth, packed.data());
  for (int64_t p = 0; p < getNumPanels(rows, panelWidth); ++p)
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t t = 0; t < panelWidth; ++t) {
        int64_t row = p * panelWidth + t;
        float expected = row < rows ? weight[row * cols + c] : 0.0f;
        ASSERT_EQ(packed[(p * cols + c) * panelWidth + t], expected)
            << "panel " << p << ", column " << c << ", lane " << t;
      }
}

} // namespace
