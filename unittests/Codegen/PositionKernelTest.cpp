//===- PositionKernelTest.cpp - Embedding and position kernels ------------===//
//
// Token embeddings (including the clamping of out-of-range ids), learned
// and sinusoidal positions and rotary embeddings in both feature pairings,
// with and without a partial rotary dimension, against the reference.
//
// Tolerance: gathers are exact; position encodings add or rotate by sines
// and cosines computed in f64 and rounded once to f32, so the outputs of
// order one are within 1e-5 even at positions near 20000.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

TEST(EmbeddingKernelTest, Embedding) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%table: tensor<50x24xf32>, %ids: tensor<2x?xi64>)
        -> tensor<2x?x24xf32> {
      %x = kiln.embedding %table[%ids]
          : tensor<50x24xf32>, tensor<2x?xi64> -> tensor<2x?x24xf32>
      return %x : tensor<2x?x24xf32>
    })mlir",
                               {{0, 3}, {0, 17}}, Tolerance{0.0});
}

TEST(EmbeddingKernelTest, OutOfRangeIdsAreClampedIntoTheTable) {
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(R"mlir(
    func.func @f(%table: tensor<10x8xf32>, %ids: tensor<?xi32>)
        -> tensor<?x8xf32> {
      %x = kiln.embedding %table[%ids]
          : tensor<10x8xf32>, tensor<?xi32> -> tensor<?x8xf32>
      return %x : tensor<?x8xf32>
    })mlir");
  ASSERT_TRUE(kernel);
  std::vector<ReferenceTensor> arguments = kernel->makeArguments({4}, 2);
  const ReferenceTensor &table = arguments[0];
  arguments[1] = ReferenceTensor({4}, {-7, 3, 10, 1000000});
  std::optional<std::vector<ReferenceTensor>> results =
      kernel->run(arguments, {{4, 8}});
  ASSERT_TRUE(results.has_value());
  // Negative ids read row 0, ids past the end the last row.
  for (auto [position, row] : llvm::enumerate(std::vector<int64_t>{0, 3, 9, 9}))
    for (int64_t d = 0; d < 8; ++d)
      EXPECT_EQ((*results)[0].at({static_cast<int64_t>(position), d}),
                table.at({row, d}))
          << "position " << position << ", feature " << d;
}

TEST(PositionKernelTest, LearnedPositions) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x16xf32>, %wpe: tensor<32x16xf32>)
        -> tensor<2x?x16xf32> {
      %y = kiln.learned_positions %x, %wpe
          : tensor<2x?x16xf32>, tensor<32x16xf32>
      return %y : tensor<2x?x16xf32>
    })mlir",
                               {{0, 32}, {0, 5}});
}

TEST(PositionKernelTest, CountedPositionsSkipPaddingTokens) {
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(R"mlir(
    func.func @f(%x: tensor<3x?x16xf32>, %table: tensor<12x16xf32>,
                 %ids: tensor<3x?xi64>) -> tensor<3x?x16xf32> {
      %y = kiln.learned_positions %x, %table ids %ids padding_idx 1
          : tensor<3x?x16xf32>, tensor<12x16xf32>, tensor<3x?xi64>
      return %y : tensor<3x?x16xf32>
    })mlir");
  ASSERT_TRUE(kernel);
  std::vector<ReferenceTensor> arguments = kernel->makeArguments({0, 7}, 3);
  // No padding, right padding, and left padding with a padding id inside.
  arguments[2] = ReferenceTensor(
      {3, 7}, {5, 9, 0, 4, 7, 3, 8, 5, 9, 0, 4, 1, 1, 1, 1, 1, 5, 9, 1, 4, 7});
  kernel->expectMatchesReference(arguments);
}

TEST(PositionKernelTest, LearnedPositionsRejectShortTables) {
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(R"mlir(
    func.func @f(%x: tensor<1x?x8xf32>, %wpe: tensor<4x8xf32>)
        -> tensor<1x?x8xf32> {
      %y = kiln.learned_positions %x, %wpe
          : tensor<1x?x8xf32>, tensor<4x8xf32>
      return %y : tensor<1x?x8xf32>
    })mlir");
  ASSERT_TRUE(kernel);
  std::vector<ReferenceTensor> arguments = kernel->makeArguments({0, 6}, 1);
  // Halide's bounds check must stop the kernel before it reads row 4.
  EXPECT_NONFATAL_FAILURE(kernel->run(arguments, {{1, 6, 8}}),
                          "is accessed at 5, which is beyond the max (3)");
}

TEST(PositionKernelTest, SinusoidalPositions) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x?x32xf32>) -> tensor<1x?x32xf32> {
      %y = kiln.sinusoidal_positions %x base 10000.0 : tensor<1x?x32xf32>
      return %y : tensor<1x?x32xf32>
    })mlir",
                               {{0, 7}, {0, 2000}});
}

TEST(RopeKernelTest, HalfStyle) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x3x?x16xf32>) -> tensor<2x3x?x16xf32> {
      %y = kiln.rope %x theta 10000.0 style half : tensor<2x3x?x16xf32>
      return %y : tensor<2x3x?x16xf32>
    })mlir",
                               {{0, 0, 6}, {0, 0, 2000}});
}

TEST(RopeKernelTest, PositionsFarIntoALongSequence) {
  // The table combines the angles of blocks of positions and of offsets in
  // a block: positions up to 20000 stay within the tolerance.
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32> {
      %y = kiln.rope %x theta 10000.0 style half : tensor<1x2x?x64xf32>
      return %y : tensor<1x2x?x64xf32>
    })mlir",
                               {{0, 0, 20000}});
}

TEST(RopeKernelTest, InterleavedStyle) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x2x?x12xf32>) -> tensor<1x2x?x12xf32> {
      %y = kiln.rope %x theta 500000.0 style interleaved
          : tensor<1x2x?x12xf32>
      return %y : tensor<1x2x?x12xf32>
    })mlir",
                               {{0, 0, 9}, {0, 0, 1500}});
}

TEST(RopeKernelTest, PartialRotaryDimHalfStyle) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
      %y = kiln.rope %x theta 10000.0 style half rotary_dim 6
          : tensor<1x2x?x16xf32>
      return %y : tensor<1x2x?x16xf32>
    })mlir",
                               {{0, 0, 5}, {0, 0, 40}});
}

TEST(RopeKernelTest, LinearScaling) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x2x?x16xf32>) -> tensor<1x2x?x16xf32> {
      %y = kiln.rope %x theta 10000.0 style half scaling linear factor 4.0
          : tensor<1x2x?x16xf32>
      return %y : tensor<1x2x?x16xf32>
    })mlir",
                               {{0, 0, 7}, {0, 0, 900}});
}

TEST(RopeKernelTest, Llama3Scaling) {
  // Llama 3.1's bands on 64 features: pairs 0 to 14 keep their frequency,
  // 15 to 17 blend, and 18 to 31 are divided by the factor.
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x2x?x64xf32>) -> tensor<1x2x?x64xf32> {
      %y = kiln.rope %x theta 500000.0 style half scaling llama3 factor 32.0
          low_freq_factor 1.0 high_freq_factor 4.0
          original_max_positions 8192 : tensor<1x2x?x64xf32>
      return %y : tensor<1x2x?x64xf32>
    })mlir",
                               {{0, 0, 5}, {0, 0, 3000}});
}

TEST(RopeKernelTest, PartialRotaryDimInterleavedStyle) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x2x?x10xf32>) -> tensor<1x2x?x10xf32> {
      %y = kiln.rope %x theta 10000.0 style interleaved rotary_dim 4
          : tensor<1x2x?x10xf32>
      return %y : tensor<1x2x?x10xf32>
    })mlir",
                               {{0, 0, 3}, {0, 0, 25}});
}

} // namespace
