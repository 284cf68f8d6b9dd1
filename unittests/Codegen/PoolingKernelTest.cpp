//===- PoolingKernelTest.cpp - kiln.mean_pool kernels ---------------------===//
//
// Mean pooling over the sequence, with and without an attention mask, and
// a batch whose mask keeps no position (which pools to zeros).
//
// Tolerance: averages of at most 40 values of order one; f32 sums are
// within 1e-5 of the largest output.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

constexpr const char *kMaskedMeanPool = R"mlir(
    func.func @f(%h: tensor<3x?x20xf32>, %m: tensor<3x?xi64>)
        -> tensor<3x20xf32> {
      %e = kiln.mean_pool %h mask %m
          : (tensor<3x?x20xf32>, tensor<3x?xi64>) -> tensor<3x20xf32>
      return %e : tensor<3x20xf32>
    })mlir";

TEST(PoolingKernelTest, MeanPool) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%h: tensor<2x?x20xf32>) -> tensor<2x20xf32> {
      %e = kiln.mean_pool %h : (tensor<2x?x20xf32>) -> tensor<2x20xf32>
      return %e : tensor<2x20xf32>
    })mlir",
                               {{0, 4}, {0, 40}});
}

TEST(PoolingKernelTest, MaskedMeanPool) {
  expectKernelMatchesReference(kMaskedMeanPool, {{0, 7}, {0, 31}});
}

TEST(PoolingKernelTest, SequenceWithoutKeptPositionsPoolsToZeros) {
  std::unique_ptr<KernelUnderTest> kernel =
      KernelUnderTest::create(kMaskedMeanPool);
  ASSERT_TRUE(kernel);
  std::vector<ReferenceTensor> arguments = kernel->makeArguments({0, 6}, 4);
  for (int64_t s = 0; s < 6; ++s)
    arguments[1].at({1, s}) = 0;
  kernel->expectMatchesReference(arguments);
}

} // namespace
