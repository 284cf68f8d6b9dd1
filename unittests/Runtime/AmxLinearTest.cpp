//===- AmxLinearTest.cpp - Tests of the runtime's AMX linear kernel -------===//
//
// Calls kiln_amx_linear directly, on operands laid out by hand as the
// Halide side and the weight packing lay them out (AmxLayout.h): on a CPU
// with AMX it must match an fp64 product as closely as f32 would, and
// elsewhere fail with a message instead of faulting.
//
//===----------------------------------------------------------------------===//

#include "kiln/model_abi.h"
#include "runtime/src/AmxLayout.h"
#include "runtime/src/KernelErrors.h"
#include "runtime/src/WeightPacking.h"

#include <HalideRuntime.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <vector>

using namespace kiln::runtime;

namespace {

/// 64-byte-aligned storage, as Halide allocates the kernel's buffers.
template <typename T> struct AlignedArray {
  explicit AlignedArray(size_t count)
      : data(static_cast<T *>(
                 std::aligned_alloc(64, (count * sizeof(T) + 63) / 64 * 64)),
             &std::free) {}
  std::unique_ptr<T, decltype(&std::free)> data;
};

/// A [rows, depth] input and a [cols, depth] weight split and packed for
/// the kernel, with its halide_buffer_t descriptions of one panel.
struct AmxOperands {
  static constexpr int64_t rows = 20, depth = 40, cols = 32;
  static constexpr int64_t steps = 2, rowGroups = 2;

  std::vector<float> input = std::vector<float>(rows * depth);
  std::vector<float> weight = std::vector<float>(cols * depth);
  AlignedArray<uint16_t> pieces{rowGroups * steps * 3 * 512};
  AlignedArray<uint32_t> packed{1 * steps * 3 * 256 * (cols / 16)};
  std::vector<float> out = std::vector<float>(rows * cols, -1.0f);
  halide_dimension_t piecesDims[5] = {{0, 32, 1, 0},
                                      {0, 16, 32, 0},
                                      {0, 3, 512, 0},
                                      {0, steps, 1536, 0},
                                      {0, rowGroups, steps * 1536, 0}};
  halide_dimension_t weightDims[3];
  halide_dimension_t outDims[3] = {
      {0, cols, 1, 0}, {0, rows, cols, 0}, {0, 1, rows *cols, 0}};
  halide_buffer_t piecesBuffer = {}, weightBuffer = {}, outBuffer = {};

  AmxOperands() {
    for (size_t i = 0; i < input.size(); ++i)
      input[i] = std::sin(0.7f * i) * std::pow(2.0f, float(i % 11) - 5);
    for (size_t i = 0; i < weight.size(); ++i)
      weight[i] = std::cos(0.3f * i);
    // Input pieces, clamped to the last row and zero past the depth.
    for (int64_t row = 0; row < rowGroups * 16; ++row)
      for (int64_t k = 0; k < steps * 32; ++k) {
        uint16_t split[3];
        amx::splitIntoPieces(
            k < depth ? input[std::min(row, rows - 1) * depth + k] : 0.0f,
            split);
        for (int piece = 0; piece < 3; ++piece)
          pieces.data.get()[amx::getTileOffset(row / 16, k / 32, piece, steps) +
                            row % 16 * 32 + k % 32] = split[piece];
      }
    packWeight(weight.data(), cols, depth, cols, KILN_PACKED_BF16X3_TILES,
               packed.data.get());
    std::array<PackedDim, 3> dims =
        getPackedWeightDims(cols, depth, cols, KILN_PACKED_BF16X3_TILES);
    for (int d = 0; d < 3; ++d)
      weightDims[d] = {0, int32_t(dims[d].extent), int32_t(dims[d].stride), 0};
    describe(piecesBuffer, pieces.data.get(), {halide_type_uint, 16, 1},
             piecesDims, 5);
    describe(weightBuffer, packed.data.get(), {halide_type_uint, 32, 1},
             weightDims, 3);
    describe(outBuffer, out.data(), {halide_type_float, 32, 1}, outDims, 3);
  }

  static void describe(halide_buffer_t &buffer, void *host, halide_type_t type,
                       halide_dimension_t *dims, int rank) {
    buffer.host = static_cast<uint8_t *>(host);
    buffer.type = type;
    buffer.dimensions = rank;
    buffer.dim = dims;
  }

  int32_t run() {
    clearKernelError();
    return kiln_amx_linear(&piecesBuffer, &weightBuffer, int32_t(depth),
                           &outBuffer);
  }
};

TEST(AmxLinearTest, MatchesFp64OrRefusesWithoutAmx) {
  AmxOperands operands;
  if (operands.run() != 0) {
    EXPECT_EQ(getKernelError(), "this kernel needs AMX tiles with bf16, which "
                                "this CPU or OS does not provide");
    return;
  }
  // 20 rows: one partial block of 32, through the kernel's scratch block.
  // Tolerance: 1e-5 of the largest output (about 32), which f32 rounding
  // over 40 products stays below; leaving out the smallest of the six
  // products of pieces already exceeds it (6e-4).
  std::vector<double> expected(AmxOperands::rows * AmxOperands::cols);
  double largest = 1;
  for (int64_t r = 0; r < AmxOperands::rows; ++r)
    for (int64_t c = 0; c < AmxOperands::cols; ++c) {
      double sum = 0;
      for (int64_t k = 0; k < AmxOperands::depth; ++k)
        sum += double(operands.input[r * AmxOperands::depth + k]) *
               operands.weight[c * AmxOperands::depth + k];
      expected[r * AmxOperands::cols + c] = sum;
      largest = std::max(largest, std::fabs(sum));
    }
  for (size_t i = 0; i < expected.size(); ++i)
    ASSERT_NEAR(operands.out[i], expected[i], 1e-5 * largest)
        << "row " << i / AmxOperands::cols << ", column "
        << i % AmxOperands::cols;
}

TEST(AmxLinearTest, BlocksOffTheKernelsGridAreRefused) {
  // A block starting at row 16 is not one the kernel computes.
  AmxOperands operands;
  operands.outDims[1] = {16, 4, AmxOperands::cols, 0};
  EXPECT_EQ(operands.run(), -1);
  EXPECT_EQ(getKernelError(), "the AMX linear kernel computes blocks of 32 "
                              "rows and panels of whole 32 features");
}

} // namespace
