//===- FusedEquivalenceTest.cpp - Fused ops against their compositions ----===//
//
// Each fused op must compute what the unfused ops that the graph passes
// replace compute: kiln.attention against repeat_kv / matmul / scale / masks
// / softmax / matmul (with GQA, causal and sliding-window masks, padding and
// more keys than queries), the epilogue of kiln.linear against linear +
// activation + add, and the add-norm ops against add + norm. Every test
// module has a @fused and an @unfused function of the same signature,
// evaluated on the same seeded random arguments.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include "mlir/IR/TypeUtilities.h"

#include <algorithm>

using namespace mlir;

namespace kiln {
namespace {

/// Agreement required between fused and unfused evaluations.
constexpr double kTolerance = 1e-12;

class FusedEquivalenceTest : public ReferenceTest {
protected:
  /// Evaluates @fused and @unfused of `source` on the same random
  /// arguments (dynamic sizes `dynamicSizes`, float arguments multiplied by
  /// `floatScale`) and expects all their results to agree. Returns the
  /// arguments so that tests can check they exercise what they should.
  std::vector<ReferenceTensor> expectSameResults(
      llvm::StringRef source, llvm::ArrayRef<int64_t> dynamicSizes,
      double floatScale = 1.0) {
    func::FuncOp fused = parseFunction(source, "fused");
    func::FuncOp unfused = parseFunction(source, "unfused");
    if (!fused || !unfused)
      return {};
    FailureOr<std::vector<ReferenceTensor>> arguments =
        randomArguments(unfused, /*seed=*/42, dynamicSizes);
    if (failed(arguments)) {
      ADD_FAILURE() << diagnosticText();
      return {};
    }
    for (auto [argument, type] :
         llvm::zip_equal(*arguments, unfused.getArgumentTypes()))
      if (isa<FloatType>(getElementTypeOrSelf(type)))
        for (double &element : argument.getElements())
          element *= floatScale;

    FailureOr<std::vector<ReferenceTensor>> fusedResults =
        evaluateFunction(fused, *arguments);
    FailureOr<std::vector<ReferenceTensor>> unfusedResults =
        evaluateFunction(unfused, *arguments);
    if (failed(fusedResults) || failed(unfusedResults)) {
      ADD_FAILURE() << diagnosticText();
      return {};
    }
    EXPECT_EQ(fusedResults->size(), unfusedResults->size());
    for (auto [fusedResult, unfusedResult] :
         llvm::zip(*fusedResults, *unfusedResults)) {
      EXPECT_TRUE(isTensorNear(fusedResult, unfusedResult, kTolerance));
      // All-zero results would agree without testing anything.
      EXPECT_TRUE(llvm::any_of(fusedResult.getElements(),
                               [](double x) { return std::abs(x) > 1e-3; }));
    }
    return std::move(*arguments);
  }
};

/// Whether some row of `mask` has a zero, so that padding is exercised.
bool hasPadding(const ReferenceTensor &mask) {
  return llvm::is_contained(mask.getElements(), 0.0);
}

TEST_F(FusedEquivalenceTest, GroupedCausalAttentionWithPaddingAndMoreKeys) {
  // Four query heads over two key/value heads; three queries over five keys.
  std::vector<ReferenceTensor> arguments = expectSameResults(
      R"mlir(
  func.func @fused(%q: tensor<2x4x3x8xf32>, %k: tensor<2x2x5x8xf32>,
                   %v: tensor<2x2x5x8xf32>, %m: tensor<2x5xi64>)
      -> tensor<2x4x3x8xf32> {
    %o = kiln.attention %q, %k, %v key_padding %m scale 0.35355339059327373
        mask causal
        : (tensor<2x4x3x8xf32>, tensor<2x2x5x8xf32>, tensor<2x2x5x8xf32>,
           tensor<2x5xi64>) -> tensor<2x4x3x8xf32>
    return %o : tensor<2x4x3x8xf32>
  }
  func.func @unfused(%q: tensor<2x4x3x8xf32>, %k: tensor<2x2x5x8xf32>,
                     %v: tensor<2x2x5x8xf32>, %m: tensor<2x5xi64>)
      -> tensor<2x4x3x8xf32> {
    %k4 = kiln.repeat_kv %k : tensor<2x2x5x8xf32> -> tensor<2x4x5x8xf32>
    %v4 = kiln.repeat_kv %v : tensor<2x2x5x8xf32> -> tensor<2x4x5x8xf32>
    %s = kiln.matmul %q, %k4 transpose_rhs
        : (tensor<2x4x3x8xf32>, tensor<2x4x5x8xf32>) -> tensor<2x4x3x5xf32>
    %scaled = kiln.scale %s by 0.35355339059327373 : tensor<2x4x3x5xf32>
    %causal = kiln.causal_mask %scaled : tensor<2x4x3x5xf32>
    %padded = kiln.padding_mask %causal, %m
        : tensor<2x4x3x5xf32>, tensor<2x5xi64>
    %p = kiln.softmax %padded axis 3 : tensor<2x4x3x5xf32>
    %o = kiln.matmul %p, %v4
        : (tensor<2x4x3x5xf32>, tensor<2x4x5x8xf32>) -> tensor<2x4x3x8xf32>
    return %o : tensor<2x4x3x8xf32>
  }
)mlir",
      /*dynamicSizes=*/{}, /*floatScale=*/50.0);
  ASSERT_EQ(arguments.size(), 4u);
  EXPECT_TRUE(hasPadding(arguments[3]));
}

TEST_F(FusedEquivalenceTest, SlidingWindowAttentionWithPadding) {
  std::vector<ReferenceTensor> arguments = expectSameResults(
      R"mlir(
  func.func @fused(%q: tensor<3x2x6x4xf32>, %k: tensor<3x2x6x4xf32>,
                   %v: tensor<3x2x6x4xf32>, %m: tensor<3x6xi64>)
      -> tensor<3x2x6x4xf32> {
    %o = kiln.attention %q, %k, %v key_padding %m scale 0.5
        mask sliding_window window 3
        : (tensor<3x2x6x4xf32>, tensor<3x2x6x4xf32>, tensor<3x2x6x4xf32>,
           tensor<3x6xi64>) -> tensor<3x2x6x4xf32>
    return %o : tensor<3x2x6x4xf32>
  }
  func.func @unfused(%q: tensor<3x2x6x4xf32>, %k: tensor<3x2x6x4xf32>,
                     %v: tensor<3x2x6x4xf32>, %m: tensor<3x6xi64>)
      -> tensor<3x2x6x4xf32> {
    %s = kiln.matmul %q, %k transpose_rhs
        : (tensor<3x2x6x4xf32>, tensor<3x2x6x4xf32>) -> tensor<3x2x6x6xf32>
    %scaled = kiln.scale %s by 0.5 : tensor<3x2x6x6xf32>
    %windowed = kiln.sliding_window_mask %scaled window 3
        : tensor<3x2x6x6xf32>
    %padded = kiln.padding_mask %windowed, %m
        : tensor<3x2x6x6xf32>, tensor<3x6xi64>
    %p = kiln.softmax %padded axis 3 : tensor<3x2x6x6xf32>
    %o = kiln.matmul %p, %v
        : (tensor<3x2x6x6xf32>, tensor<3x2x6x4xf32>) -> tensor<3x2x6x4xf32>
    return %o : tensor<3x2x6x4xf32>
  }
)mlir",
      /*dynamicSizes=*/{}, /*floatScale=*/50.0);
  ASSERT_EQ(arguments.size(), 4u);
  EXPECT_TRUE(hasPadding(arguments[3]));
}

TEST_F(FusedEquivalenceTest, MultiQueryAttentionWithDynamicSequence) {
  // One key/value head shared by all four query heads; no mask.
  expectSameResults(
      R"mlir(
  func.func @fused(%q: tensor<1x4x?x8xf32>, %k: tensor<1x1x?x8xf32>,
                   %v: tensor<1x1x?x8xf32>) -> tensor<1x4x?x8xf32> {
    %o = kiln.attention %q, %k, %v scale 0.35355339059327373
        : (tensor<1x4x?x8xf32>, tensor<1x1x?x8xf32>, tensor<1x1x?x8xf32>)
        -> tensor<1x4x?x8xf32>
    return %o : tensor<1x4x?x8xf32>
  }
  func.func @unfused(%q: tensor<1x4x?x8xf32>, %k: tensor<1x1x?x8xf32>,
                     %v: tensor<1x1x?x8xf32>) -> tensor<1x4x?x8xf32> {
    %k4 = kiln.repeat_kv %k : tensor<1x1x?x8xf32> -> tensor<1x4x?x8xf32>
    %v4 = kiln.repeat_kv %v : tensor<1x1x?x8xf32> -> tensor<1x4x?x8xf32>
    %s = kiln.matmul %q, %k4 transpose_rhs
        : (tensor<1x4x?x8xf32>, tensor<1x4x?x8xf32>) -> tensor<1x4x?x?xf32>
    %scaled = kiln.scale %s by 0.35355339059327373 : tensor<1x4x?x?xf32>
    %p = kiln.softmax %scaled axis 3 : tensor<1x4x?x?xf32>
    %o = kiln.matmul %p, %v4
        : (tensor<1x4x?x?xf32>, tensor<1x4x?x8xf32>) -> tensor<1x4x?x8xf32>
    return %o : tensor<1x4x?x8xf32>
  }
)mlir",
      /*dynamicSizes=*/{1, 1, 7}, /*floatScale=*/50.0);
}

TEST_F(FusedEquivalenceTest, LinearEpilogueIsActivationThenResidualAdd) {
  expectSameResults(
      R"mlir(
  func.func @fused(%x: tensor<2x?x16xf32>, %w: tensor<24x16xf32>,
                   %b: tensor<24xf32>, %r: tensor<2x?x24xf32>)
      -> tensor<2x?x24xf32> {
    %y = kiln.linear %x, %w bias %b activation gelu_tanh residual %r
        : (tensor<2x?x16xf32>, tensor<24x16xf32>, tensor<24xf32>,
           tensor<2x?x24xf32>) -> tensor<2x?x24xf32>
    return %y : tensor<2x?x24xf32>
  }
  func.func @unfused(%x: tensor<2x?x16xf32>, %w: tensor<24x16xf32>,
                     %b: tensor<24xf32>, %r: tensor<2x?x24xf32>)
      -> tensor<2x?x24xf32> {
    %h = kiln.linear %x, %w bias %b
        : (tensor<2x?x16xf32>, tensor<24x16xf32>, tensor<24xf32>)
        -> tensor<2x?x24xf32>
    %a = kiln.activation gelu_tanh %h : tensor<2x?x24xf32>
    %y = kiln.add %a, %r
        : (tensor<2x?x24xf32>, tensor<2x?x24xf32>) -> tensor<2x?x24xf32>
    return %y : tensor<2x?x24xf32>
  }
)mlir",
      /*dynamicSizes=*/{2, 5}, /*floatScale=*/50.0);
}

TEST_F(FusedEquivalenceTest, AddLayerNormIsAddThenLayerNorm) {
  expectSameResults(
      R"mlir(
  func.func @fused(%x: tensor<2x?x16xf32>, %r: tensor<2x?x16xf32>,
                   %g: tensor<16xf32>, %b: tensor<16xf32>)
      -> (tensor<2x?x16xf32>, tensor<2x?x16xf32>) {
    %sum, %y = kiln.add_layer_norm %x, %r, %g, %b epsilon 1.0e-05
        : (tensor<2x?x16xf32>, tensor<2x?x16xf32>, tensor<16xf32>,
           tensor<16xf32>) -> (tensor<2x?x16xf32>, tensor<2x?x16xf32>)
    return %sum, %y : tensor<2x?x16xf32>, tensor<2x?x16xf32>
  }
  func.func @unfused(%x: tensor<2x?x16xf32>, %r: tensor<2x?x16xf32>,
                     %g: tensor<16xf32>, %b: tensor<16xf32>)
      -> (tensor<2x?x16xf32>, tensor<2x?x16xf32>) {
    %sum = kiln.add %x, %r
        : (tensor<2x?x16xf32>, tensor<2x?x16xf32>) -> tensor<2x?x16xf32>
    %y = kiln.layer_norm %sum, %g, %b epsilon 1.0e-05
        : (tensor<2x?x16xf32>, tensor<16xf32>, tensor<16xf32>)
        -> tensor<2x?x16xf32>
    return %sum, %y : tensor<2x?x16xf32>, tensor<2x?x16xf32>
  }
)mlir",
      /*dynamicSizes=*/{2, 5}, /*floatScale=*/50.0);
}

TEST_F(FusedEquivalenceTest, AddRmsNormIsAddThenRmsNorm) {
  expectSameResults(
      R"mlir(
  func.func @fused(%x: tensor<2x?x16xf32>, %r: tensor<2x?x16xf32>,
                   %g: tensor<16xf32>)
      -> (tensor<2x?x16xf32>, tensor<2x?x16xf32>) {
    %sum, %y = kiln.add_rms_norm %x, %r, %g epsilon 1.0e-06
        : (tensor<2x?x16xf32>, tensor<2x?x16xf32>, tensor<16xf32>)
        -> (tensor<2x?x16xf32>, tensor<2x?x16xf32>)
    return %sum, %y : tensor<2x?x16xf32>, tensor<2x?x16xf32>
  }
  func.func @unfused(%x: tensor<2x?x16xf32>, %r: tensor<2x?x16xf32>,
                     %g: tensor<16xf32>)
      -> (tensor<2x?x16xf32>, tensor<2x?x16xf32>) {
    %sum = kiln.add %x, %r
        : (tensor<2x?x16xf32>, tensor<2x?x16xf32>) -> tensor<2x?x16xf32>
    %y = kiln.rms_norm %sum, %g epsilon 1.0e-06
        : (tensor<2x?x16xf32>, tensor<16xf32>) -> tensor<2x?x16xf32>
    return %sum, %y : tensor<2x?x16xf32>, tensor<2x?x16xf32>
  }
)mlir",
      /*dynamicSizes=*/{2, 5}, /*floatScale=*/50.0);
}

} // namespace
} // namespace kiln
