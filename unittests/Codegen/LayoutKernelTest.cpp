//===- LayoutKernelTest.cpp - Kernels of ops that move elements -----------===//
//
// Transposes, head split and merge, repeat_kv and slices copy elements, so
// they must match the reference exactly, for two sequence lengths each.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// Copies are exact.
constexpr Tolerance kExact{0.0};

TEST(LayoutKernelTest, Transpose) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x3x8xf32>) -> tensor<2x3x?x8xf32> {
      %y = kiln.transpose %x [0, 2, 1, 3]
          : tensor<2x?x3x8xf32> -> tensor<2x3x?x8xf32>
      return %y : tensor<2x3x?x8xf32>
    })mlir",
                               {{0, 5}, {0, 18}}, kExact);
}

TEST(LayoutKernelTest, TransposeOfTheInnermostDimension) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x3x?xf32>) -> tensor<?x?x3xf32> {
      %y = kiln.transpose %x [2, 0, 1] : tensor<?x3x?xf32> -> tensor<?x?x3xf32>
      return %y : tensor<?x?x3xf32>
    })mlir",
                               {{4, 0, 6}, {2, 0, 9}}, kExact);
}

TEST(LayoutKernelTest, SplitHeads) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x24xf32>) -> tensor<2x3x?x8xf32> {
      %y = kiln.split_heads %x : tensor<2x?x24xf32> -> tensor<2x3x?x8xf32>
      return %y : tensor<2x3x?x8xf32>
    })mlir",
                               {{0, 4}, {0, 13}}, kExact);
}

TEST(LayoutKernelTest, MergeHeads) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x3x?x8xf32>) -> tensor<2x?x24xf32> {
      %y = kiln.merge_heads %x : tensor<2x3x?x8xf32> -> tensor<2x?x24xf32>
      return %y : tensor<2x?x24xf32>
    })mlir",
                               {{0, 0, 4}, {0, 0, 11}}, kExact);
}

TEST(LayoutKernelTest, RepeatKv) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x2x?x8xf32>) -> tensor<1x6x?x8xf32> {
      %y = kiln.repeat_kv %x : tensor<1x2x?x8xf32> -> tensor<1x6x?x8xf32>
      return %y : tensor<1x6x?x8xf32>
    })mlir",
                               {{0, 0, 3}, {0, 0, 10}}, kExact);
}

TEST(LayoutKernelTest, SliceOfFusedProjection) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<1x?x36xf32>) -> tensor<1x?x12xf32> {
      %y = kiln.slice %x axis 2 offset 12
          : tensor<1x?x36xf32> -> tensor<1x?x12xf32>
      return %y : tensor<1x?x12xf32>
    })mlir",
                               {{0, 3}, {0, 9}}, kExact);
}

TEST(LayoutKernelTest, SliceAlongRunTimeDimension) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x5xf32>) -> tensor<2x3x5xf32> {
      %y = kiln.slice %x axis 1 offset 2
          : tensor<2x?x5xf32> -> tensor<2x3x5xf32>
      return %y : tensor<2x3x5xf32>
    })mlir",
                               {{0, 5}, {0, 12}}, kExact);
}

TEST(LayoutKernelTest, SliceOfTheLastRunTimePosition) {
  // The start moves with the run-time length; a length of one starts at 0.
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<?x?x6xf32>) -> tensor<?x1x6xf32> {
      %y = kiln.slice %x axis 1 offset -1
          : tensor<?x?x6xf32> -> tensor<?x1x6xf32>
      return %y : tensor<?x1x6xf32>
    })mlir",
                               {{2, 7}, {3, 13}, {1, 1}}, kExact);
}

TEST(LayoutKernelTest, SliceFromTheEndOfRunTimeDimension) {
  expectKernelMatchesReference(R"mlir(
    func.func @f(%x: tensor<2x?x5xf32>) -> tensor<2x2x5xf32> {
      %y = kiln.slice %x axis 1 offset -3
          : tensor<2x?x5xf32> -> tensor<2x2x5xf32>
      return %y : tensor<2x2x5xf32>
    })mlir",
                               {{0, 4}, {0, 11}}, kExact);
}

} // namespace
