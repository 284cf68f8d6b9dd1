//===- LinearKernelTest.cpp - kiln.linear and kiln.matmul kernels ---------===//
//
// Contraction kernels against the fp64 reference, each run for two
// sequence lengths through one compiled pipeline. Column counts that are
// not multiples of the register tile and sequence lengths shorter than a
// row tile exercise the partial tiles. Linear layers whose weight is a
// `kiln.weight` argument read it packed into panels; their tests cover
// the row-tiled path (at least `tile_rows` rows, the last tile shifted),
// the row-at-a-time path of shorter inputs, and panels that the output
// features fill only partly.
//
// Tolerance: inputs are N(0, 1) and contractions at most 32 long, so f32
// rounding (2^-24 per operation, growing with the length) stays far below
// 1e-5 of the largest output.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

TEST(LinearKernelTest, PlainLinear) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x24xf32>, %w: tensor<40x24xf32>)
        -> tensor<2x?x40xf32> {
      %y = kiln.linear %x, %w
          : (tensor<2x?x24xf32>, tensor<40x24xf32>) -> tensor<2x?x40xf32>
      return %y : tensor<2x?x40xf32>
    })mlir",
                               {{2, 3}, {2, 19}});
}

TEST(LinearKernelTest, BiasActivationAndResidual) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x24xf32>, %w: tensor<40x24xf32>,
                 %b: tensor<40xf32>, %r: tensor<2x?x40xf32>)
        -> tensor<2x?x40xf32> {
      %y = kiln.linear %x, %w bias %b activation gelu_tanh residual %r
          : (tensor<2x?x24xf32>, tensor<40x24xf32>, tensor<40xf32>,
             tensor<2x?x40xf32>) -> tensor<2x?x40xf32>
      return %y : tensor<2x?x40xf32>
    })mlir",
                               {{2, 9}, {2, 4}});
}

TEST(LinearKernelTest, ResidualWithoutBias) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x16xf32>, %w: tensor<32x16xf32>,
                 %r: tensor<?x32xf32>) -> tensor<?x32xf32> {
      %y = kiln.linear %x, %w activation silu residual %r
          : (tensor<?x16xf32>, tensor<32x16xf32>, tensor<?x32xf32>)
          -> tensor<?x32xf32>
      return %y : tensor<?x32xf32>
    })mlir",
                               {{5}, {12}});
}

TEST(LinearKernelTest, VectorInput) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<16xf32>, %w: tensor<20x16xf32>,
                 %b: tensor<20xf32>) -> tensor<20xf32> {
      %y = kiln.linear %x, %w bias %b activation relu
          : (tensor<16xf32>, tensor<20x16xf32>, tensor<20xf32>)
          -> tensor<20xf32>
      return %y : tensor<20xf32>
    })mlir",
                               {{0}});
}

TEST(LinearKernelTest, NonDefaultScheduleGivesTheSameResults) {
  Schedule schedule;
  schedule.set("vector", 4);
  schedule.set("tile_cols", 8);
  schedule.set("tile_rows", 2);
  schedule.set("unroll_k", 4);
  schedule.set("pack_rhs", 0);
  schedule.set("parallel", 0);
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(R"mlir(
    func.func @f(%x: tensor<1x?x24xf32>, %w: tensor<36x24xf32>,
                 %b: tensor<36xf32>) -> tensor<1x?x36xf32> {
      %y = kiln.linear %x, %w bias %b activation gelu
          : (tensor<1x?x24xf32>, tensor<36x24xf32>, tensor<36xf32>)
          -> tensor<1x?x36xf32>
      return %y : tensor<1x?x36xf32>
    })mlir",
                                                                    schedule);
  ASSERT_TRUE(kernel);
  kernel->expectMatchesReference({1, 7});
  kernel->expectMatchesReference({1, 2});
}

TEST(LinearKernelTest, PackedWeightWithEveryEpilogue) {
  // 70 output features: the last panel of the default 64 (or 16) is
  // partial; 6 rows is exactly one default row tile.
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x24xf32>,
                 %w: tensor<70x24xf32> {kiln.weight = "w"},
                 %b: tensor<70xf32>, %r: tensor<2x?x70xf32>)
        -> tensor<2x?x70xf32> {
      %y = kiln.linear %x, %w bias %b activation gelu_tanh residual %r
          : (tensor<2x?x24xf32>, tensor<70x24xf32>, tensor<70xf32>,
             tensor<2x?x70xf32>) -> tensor<2x?x70xf32>
      return %y : tensor<2x?x70xf32>
    })mlir",
                               {{2, 1}, {2, 5}, {2, 6}, {2, 13}, {2, 40}});
}

TEST(LinearKernelTest, PackedInputRowsOfWholePages) {
  // Rows of 1024 floats are 4 KiB apart: the default copies each register
  // tile's rows together, per batch index, before the contraction.
  static const char *source = R"mlir(
    func.func @f(%x: tensor<2x?x1024xf32>,
                 %w: tensor<20x1024xf32> {kiln.weight = "w"},
                 %r: tensor<2x?x20xf32>) -> tensor<2x?x20xf32> {
      %y = kiln.linear %x, %w activation relu residual %r
          : (tensor<2x?x1024xf32>, tensor<20x1024xf32>, tensor<2x?x20xf32>)
          -> tensor<2x?x20xf32>
      return %y : tensor<2x?x20xf32>
    })mlir";
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(source);
  ASSERT_TRUE(kernel);
  ScheduleSpace space = cantFail(getKernelScheduleSpace(
      kernel->getSignature(), cantFail(parseKernelTarget("host"))));
  EXPECT_EQ(space.getDefaultSchedule().get("pack_input"), 1);
  for (int64_t rows : {1, 5, 6, 13, 40})
    kernel->expectMatchesReference({rows, rows});
}

TEST(LinearKernelTest, PackedWeightWithVectorInput) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<16xf32>,
                 %w: tensor<20x16xf32> {kiln.weight = "w"}) -> tensor<20xf32> {
      %y = kiln.linear %x, %w activation tanh
          : (tensor<16xf32>, tensor<20x16xf32>) -> tensor<20xf32>
      return %y : tensor<20xf32>
    })mlir",
                               {{0}});
}

TEST(LinearKernelTest, PackedWeightWithEverySchedule) {
  // Panel widths and row tiles across the space, each with a few other
  // parameters, must compute the same layer.
  static const char *source = R"mlir(
    func.func @f(%x: tensor<?x40xf32>,
                 %w: tensor<45x40xf32> {kiln.weight = "w"},
                 %b: tensor<45xf32>) -> tensor<?x45xf32> {
      %y = kiln.linear %x, %w bias %b activation silu
          : (tensor<?x40xf32>, tensor<45x40xf32>, tensor<45xf32>)
          -> tensor<?x45xf32>
      return %y : tensor<?x45xf32>
    })mlir";
  std::unique_ptr<KernelUnderTest> defaultKernel =
      KernelUnderTest::create(source);
  ASSERT_TRUE(defaultKernel);
  ASSERT_EQ(defaultKernel->getSignature().getInt("packed_weight"), 1);
  ScheduleSpace space = cantFail(getKernelScheduleSpace(
      defaultKernel->getSignature(), cantFail(parseKernelTarget("host"))));
  int tried = 0;
  for (int64_t panelWidth : {8, 16, 24, 48})
    for (int64_t tileRows : {1, 3, 4, 7}) {
      Schedule schedule = space.getDefaultSchedule();
      schedule.set("amx", 0);
      schedule.set("vector", 8);
      schedule.set("panel_width", panelWidth);
      schedule.set("tile_rows", tileRows);
      schedule.set("max_row_tiles_per_task", tried % 2 ? 1 : 4);
      // A contraction of 40 in blocks of 32 leaves a partial block.
      schedule.set("k_block", tried % 2 ? 32 : 128);
      // With a partial block to prefetch and without.
      schedule.set("prefetch", tried % 4 < 2 ? 1 : 0);
      schedule.set("pack_input", tried % 4 == 1 || tried % 4 == 2 ? 1 : 0);
      schedule.set("parallel", tried % 3 ? 1 : 0);
      // Combinations that need more registers than the target has.
      if (llvm::errorToBool(space.verify(schedule)))
        continue;
      SCOPED_TRACE(schedule.toString());
      std::unique_ptr<KernelUnderTest> kernel =
          KernelUnderTest::create(source, schedule);
      ASSERT_TRUE(kernel);
      for (int64_t rows : {1, 2, 7, 10, 33})
        kernel->expectMatchesReference({rows});
      ++tried;
    }
  EXPECT_GE(tried, 12);
}

TEST(LinearKernelTest, MatmulWithTransposedRhs) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%q: tensor<2x3x?x16xf32>, %k: tensor<2x3x?x16xf32>)
        -> tensor<2x3x?x?xf32> {
      %s = kiln.matmul %q, %k transpose_rhs
          : (tensor<2x3x?x16xf32>, tensor<2x3x?x16xf32>)
          -> tensor<2x3x?x?xf32>
      return %s : tensor<2x3x?x?xf32>
    })mlir",
                               {{2, 3, 5, 5}, {2, 3, 21, 21}});
}

TEST(LinearKernelTest, MatmulWithRunTimeContraction) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%p: tensor<2x3x?x?xf32>, %v: tensor<2x3x?x16xf32>)
        -> tensor<2x3x?x16xf32> {
      %o = kiln.matmul %p, %v
          : (tensor<2x3x?x?xf32>, tensor<2x3x?x16xf32>)
          -> tensor<2x3x?x16xf32>
      return %o : tensor<2x3x?x16xf32>
    })mlir",
                               {{2, 3, 6, 6}, {2, 3, 11, 11}});
}

TEST(LinearKernelTest, MatmulWithBothTransposes) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%a: tensor<4x?x12xf32>, %b: tensor<4x20x?xf32>)
        -> tensor<4x12x20xf32> {
      %c = kiln.matmul %a, %b transpose_lhs transpose_rhs
          : (tensor<4x?x12xf32>, tensor<4x20x?xf32>) -> tensor<4x12x20xf32>
      return %c : tensor<4x12x20xf32>
    })mlir",
                               {{4, 7, 7}, {4, 30, 30}});
}

} // namespace
