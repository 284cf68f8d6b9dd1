//===- NormKernelTest.cpp - Normalisation kernels -------------------------===//
//
// Layer, RMS (with and without a gamma offset) and L2 normalisation, alone
// and fused with a residual add (whose sum is a second result), against the
// reference for two sequence lengths each. Widths that are not multiples of
// the vector width exercise partial vectors.
//
// Tolerance: the statistics sum at most 64 values of order one in f32, so
// the normalised outputs (of order one) are within 1e-5 of the largest.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

TEST(NormKernelTest, LayerNormWithBeta) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x40xf32>, %g: tensor<40xf32>,
                 %b: tensor<40xf32>) -> tensor<2x?x40xf32> {
      %y = kiln.layer_norm %x, %g, %b epsilon 1.0e-05
          : (tensor<2x?x40xf32>, tensor<40xf32>, tensor<40xf32>)
          -> tensor<2x?x40xf32>
      return %y : tensor<2x?x40xf32>
    })mlir",
                               {{2, 3}, {2, 21}});
}

TEST(NormKernelTest, LayerNormWithoutBeta) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x64xf32>, %g: tensor<64xf32>)
        -> tensor<?x64xf32> {
      %y = kiln.layer_norm %x, %g epsilon 1.0e-05
          : (tensor<?x64xf32>, tensor<64xf32>) -> tensor<?x64xf32>
      return %y : tensor<?x64xf32>
    })mlir",
                               {{1}, {19}});
}

TEST(NormKernelTest, RmsNorm) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x?x36xf32>, %g: tensor<36xf32>)
        -> tensor<1x?x36xf32> {
      %y = kiln.rms_norm %x, %g epsilon 1.0e-06
          : (tensor<1x?x36xf32>, tensor<36xf32>) -> tensor<1x?x36xf32>
      return %y : tensor<1x?x36xf32>
    })mlir",
                               {{1, 5}, {1, 33}});
}

TEST(NormKernelTest, RmsNormWithGammaOffset) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x?x36xf32>, %g: tensor<36xf32>)
        -> tensor<1x?x36xf32> {
      %y = kiln.rms_norm %x, %g epsilon 1.0e-06 gamma_offset 1.0
          : (tensor<1x?x36xf32>, tensor<36xf32>) -> tensor<1x?x36xf32>
      return %y : tensor<1x?x36xf32>
    })mlir",
                               {{1, 5}, {1, 33}});
}

TEST(NormKernelTest, AddLayerNormReturnsSumAndNorm) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x24xf32>, %r: tensor<2x?x24xf32>,
                 %g: tensor<24xf32>, %b: tensor<24xf32>)
        -> (tensor<2x?x24xf32>, tensor<2x?x24xf32>) {
      %sum, %y = kiln.add_layer_norm %x, %r, %g, %b epsilon 1.0e-05
          : (tensor<2x?x24xf32>, tensor<2x?x24xf32>, tensor<24xf32>,
             tensor<24xf32>) -> (tensor<2x?x24xf32>, tensor<2x?x24xf32>)
      return %sum, %y : tensor<2x?x24xf32>, tensor<2x?x24xf32>
    })mlir",
                               {{2, 6}, {2, 17}});
}

TEST(NormKernelTest, AddRmsNormReturnsSumAndNorm) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x48xf32>, %r: tensor<?x48xf32>,
                 %g: tensor<48xf32>)
        -> (tensor<?x48xf32>, tensor<?x48xf32>) {
      %sum, %y = kiln.add_rms_norm %x, %r, %g epsilon 1.0e-06
          : (tensor<?x48xf32>, tensor<?x48xf32>, tensor<48xf32>)
          -> (tensor<?x48xf32>, tensor<?x48xf32>)
      return %sum, %y : tensor<?x48xf32>, tensor<?x48xf32>
    })mlir",
                               {{4}, {35}});
}

TEST(NormKernelTest, AddRmsNormWithGammaOffset) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x48xf32>, %r: tensor<?x48xf32>,
                 %g: tensor<48xf32>)
        -> (tensor<?x48xf32>, tensor<?x48xf32>) {
      %sum, %y = kiln.add_rms_norm %x, %r, %g epsilon 1.0e-06 gamma_offset 1.0
          : (tensor<?x48xf32>, tensor<?x48xf32>, tensor<48xf32>)
          -> (tensor<?x48xf32>, tensor<?x48xf32>)
      return %sum, %y : tensor<?x48xf32>, tensor<?x48xf32>
    })mlir",
                               {{4}, {35}});
}

TEST(NormKernelTest, L2Normalize) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x20xf32>) -> tensor<?x20xf32> {
      %y = kiln.l2_normalize %x epsilon 1.0e-12 : tensor<?x20xf32>
      return %y : tensor<?x20xf32>
    })mlir",
                               {{3}, {40}});
}

TEST(NormKernelTest, L2NormalizeClampsTinyNorms) {
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(R"mlir(
    func.func @f(%x: tensor<2x8xf32>) -> tensor<2x8xf32> {
      %y = kiln.l2_normalize %x epsilon 0.5 : tensor<2x8xf32>
      return %y : tensor<2x8xf32>
    })mlir");
  ASSERT_TRUE(kernel);
  // Unscaled random values are N(0, 0.02^2): norms near 0.06, below epsilon.
  kernel->expectMatchesReference(
      kernel->makeArguments({}, /*seed=*/3, /*floatScale=*/1.0));
}

} // namespace
