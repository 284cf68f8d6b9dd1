//===- LinearKernelTest.cpp - kiln.linear and kiln.matmul kernels ---------===//
//
// Contraction kernels against the fp64 reference, each run for two
// sequence lengths through one compiled pipeline. Column counts that are
// not multiples of the register tile and sequence lengths shorter than a
// row tile exercise the partial tiles.
//
// Tolerance: inputs are N(0, 1) and contractions at most 32 long, so f32
// rounding (2^-24 per operation, growing with the length) stays far below
// 1e-5 of the largest output.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

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
