//===- MaskKernelTest.cpp - Attention mask and softmax kernels ------------===//
//
// The causal, sliding-window and padding masks must write -inf exactly
// where the reference does (queries fewer than keys included), and softmax
// must handle any axis, -inf inputs, and rows that are entirely -inf
// (zeros).
//
// Tolerance: softmax outputs are at most 1 and each is one exponential and
// one division from the f32 inputs, so 1e-5 absolute is loose; masked
// elements are compared exactly.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include <gtest/gtest.h>

#include <limits>

using namespace kiln;
using namespace kiln::test;

namespace {

/// A function applying the unary kiln op `op` (with its attribute text) to
/// a tensor of `type`.
std::string unaryFunction(const std::string &op, const std::string &type) {
  return "func.func @f(%x: " + type + ") -> " + type + " {\n  %y = kiln." + op +
         " : " + type + "\n  return %y : " + type + "\n}";
}

TEST(MaskKernelTest, CausalMask) {
  expectKernelMatchesReference(
      unaryFunction("causal_mask %x", "tensor<2x3x?x?xf32>"),
      {{0, 0, 5, 5}, {0, 0, 12, 12}});
}

TEST(MaskKernelTest, CausalMaskWithFewerQueriesThanKeys) {
  expectKernelMatchesReference(
      unaryFunction("causal_mask %x", "tensor<3x?xf32>"), {{0, 7}, {0, 2}});
}

TEST(MaskKernelTest, SlidingWindowMask) {
  expectKernelMatchesReference(
      unaryFunction("sliding_window_mask %x window 3", "tensor<1x2x?x?xf32>"),
      {{0, 0, 9, 9}, {0, 0, 4, 4}});
}

TEST(MaskKernelTest, PaddingMask) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%s: tensor<2x3x?x?xf32>, %m: tensor<2x?xi64>)
        -> tensor<2x3x?x?xf32> {
      %y = kiln.padding_mask %s, %m : tensor<2x3x?x?xf32>, tensor<2x?xi64>
      return %y : tensor<2x3x?x?xf32>
    })mlir",
                               {{10, 10, 10, 10}, {3, 3, 3, 3}});
}

TEST(MaskKernelTest, PaddingMaskOfBooleans) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%s: tensor<1x2x?x?xf32>, %m: tensor<1x?xi1>)
        -> tensor<1x2x?x?xf32> {
      %y = kiln.padding_mask %s, %m : tensor<1x2x?x?xf32>, tensor<1x?xi1>
      return %y : tensor<1x2x?x?xf32>
    })mlir",
                               {{8, 8, 8, 8}, {5, 5, 5, 5}});
}

TEST(SoftmaxKernelTest, LastAxis) {
  expectKernelMatchesReference(
      unaryFunction("softmax %x axis 2", "tensor<2x?x37xf32>"),
      {{0, 3}, {0, 10}});
}

TEST(SoftmaxKernelTest, InnerAxisOfRunTimeLength) {
  expectKernelMatchesReference(
      unaryFunction("softmax %x axis 1", "tensor<2x?x21xf32>"),
      {{0, 4}, {0, 13}});
}

TEST(SoftmaxKernelTest, OuterAxis) {
  expectKernelMatchesReference(
      unaryFunction("softmax %x axis 0", "tensor<?x3x5xf32>"), {{6}, {2}});
}

TEST(SoftmaxKernelTest, VectorInput) {
  expectKernelMatchesReference(
      unaryFunction("softmax %x axis 0", "tensor<?xf32>"), {{5}, {40}});
}

TEST(SoftmaxKernelTest, MaskedAndFullyMaskedRows) {
  std::unique_ptr<KernelUnderTest> kernel = KernelUnderTest::create(
      unaryFunction("softmax %x axis 1", "tensor<3x?xf32>"));
  ASSERT_TRUE(kernel);
  const double negativeInfinity = -std::numeric_limits<double>::infinity();
  for (int64_t length : {20, 3}) {
    std::vector<ReferenceTensor> arguments =
        kernel->makeArguments({0, length}, 7);
    ReferenceTensor &scores = arguments[0];
    // Row 0 keeps only its first element, row 1 is fully masked, row 2
    // has its last element masked.
    for (int64_t j = 1; j < length; ++j)
      scores[j] = negativeInfinity;
    for (int64_t j = 0; j < length; ++j)
      scores[length + j] = negativeInfinity;
    scores[3 * length - 1] = negativeInfinity;
    kernel->expectMatchesReference(arguments);
  }
}

} // namespace
