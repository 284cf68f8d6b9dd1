//===- WeightPackingTest.cpp - Tests of the packed weight layout ----------===//

#include "runtime/src/WeightPacking.h"
#include "runtime/src/AmxLayout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
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
  ASSERT_EQ(
      getPackedWeightBytes(rows, cols, panelWidth, KILN_PACKED_F32_PANELS),
      18 * 4);
  std::vector<float> packed(18, -1.0f);
  packWeight(weight.data(), rows, cols, panelWidth, KILN_PACKED_F32_PANELS,
             packed.data());
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
  std::vector<float> packed(
      getPackedWeightBytes(rows, cols, panelWidth, KILN_PACKED_F32_PANELS) /
      sizeof(float));
  packWeight(weight.data(), rows, cols, panelWidth, KILN_PACKED_F32_PANELS,
             packed.data());
  for (int64_t p = 0; p < getNumPanels(rows, panelWidth); ++p)
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t t = 0; t < panelWidth; ++t) {
        int64_t row = p * panelWidth + t;
        float expected = row < rows ? weight[row * cols + c] : 0.0f;
        ASSERT_EQ(packed[(p * cols + c) * panelWidth + t], expected)
            << "panel " << p << ", column " << c << ", lane " << t;
      }
}

/// The f32 value of bf16 bits.
float fromBf16(uint16_t bits) {
  uint32_t wide = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &wide, sizeof(value));
  return value;
}

TEST(WeightPackingTest, Bf16x3TilesSumToTheWeightExactly) {
  // Rows that fill no panel evenly and columns that fill no step evenly.
  constexpr int64_t rows = 70, cols = 45, panelWidth = 32;
  std::vector<float> weight(rows * cols);
  for (size_t i = 0; i < weight.size(); ++i)
    weight[i] = std::sin(0.37f * i) * std::pow(10.0f, float(i % 9) - 4);
  std::array<PackedDim, 3> dims =
      getPackedWeightDims(rows, cols, panelWidth, KILN_PACKED_BF16X3_TILES);
  // 3 panels of 2 row groups by 2 steps, each step 3 tiles of 256 pairs.
  EXPECT_EQ(dims[0].extent, 768);
  EXPECT_EQ(dims[1].extent, 4);
  EXPECT_EQ(dims[2].extent, 3);
  ASSERT_EQ(
      getPackedWeightBytes(rows, cols, panelWidth, KILN_PACKED_BF16X3_TILES),
      3 * 4 * 1536 * 2);
  std::vector<uint16_t> packed(3 * 4 * 1536, 0xffff);
  packWeight(weight.data(), rows, cols, panelWidth, KILN_PACKED_BF16X3_TILES,
             packed.data());
  int64_t steps = amx::getSteps(cols);
  for (int64_t row = 0; row < 3 * panelWidth; ++row)
    for (int64_t col = 0; col < steps * amx::kTileDepth; ++col) {
      // Row `row` is output feature row % 16 of row group row / 16; column
      // `col` is half col % 2 of pair col % 32 / 2 of step col / 32.
      int64_t at = amx::getTileOffset(row / 16, col / 32, 0, steps) +
                   (col % 32 / 2 * 16 + row % 16) * 2 + col % 2;
      float pieces[3];
      for (int piece = 0; piece < 3; ++piece)
        pieces[piece] = fromBf16(packed[at + piece * amx::kTileElements]);
      float expected =
          row < rows && col < cols ? weight[row * cols + col] : 0.0f;
      ASSERT_EQ((pieces[0] + pieces[1]) + pieces[2], expected)
          << "row " << row << ", column " << col;
      // Each piece holds the next 8 significant bits: the one after is at
      // most 2^-8 of it.
      ASSERT_LE(std::fabs(pieces[1]), std::fabs(pieces[0]) / 128)
          << "row " << row << ", column " << col;
    }
}

} // namespace
