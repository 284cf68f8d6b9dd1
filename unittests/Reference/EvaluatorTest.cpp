//===- EvaluatorTest.cpp - Tests of the reference evaluator's walker ------===//
//
// Argument checking, constants, returned values and the errors that stop an
// evaluation: wrong arguments, unsupported ops and run-time sizes that
// disagree with the IR.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

using namespace mlir;

namespace kiln {
namespace {

class EvaluatorTest : public ReferenceTest {};

/// A function of two arguments that returns them swapped.
constexpr const char *kSwap = R"mlir(
  func.func @test(%a: tensor<2x3xf32>,
                  %b: tensor<?xi64> {kiln.input = "input_ids"})
      -> (tensor<?xi64>, tensor<2x3xf32>) {
    return %b, %a : tensor<?xi64>, tensor<2x3xf32>
  }
)mlir";

TEST_F(EvaluatorTest, ReturnsTheOperandsOfReturn) {
  FailureOr<std::vector<ReferenceTensor>> results =
      evaluate(kSwap, {ReferenceTensor({2, 3}, {1, 2, 3, 4, 5, 6}),
                       ReferenceTensor({4}, {7, 8, 9, 10})});
  ASSERT_TRUE(succeeded(results)) << diagnosticText();
  ASSERT_EQ(results->size(), 2u);
  EXPECT_TRUE(isTensorNear((*results)[0], {4}, {7, 8, 9, 10}));
  EXPECT_TRUE(isTensorNear((*results)[1], {2, 3}, {1, 2, 3, 4, 5, 6}));
}

TEST_F(EvaluatorTest, RejectsAWrongArgumentCount) {
  EXPECT_TRUE(failed(evaluate(kSwap, {ReferenceTensor({2, 3})})));
  EXPECT_EQ(diagnosticText(), "expected 2 arguments, got 1\n");
}

TEST_F(EvaluatorTest, RejectsAWrongStaticSize) {
  EXPECT_TRUE(failed(
      evaluate(kSwap, {ReferenceTensor({3, 2}), ReferenceTensor({4})})));
  EXPECT_EQ(diagnosticText(),
            "expected argument 0 of shape 2x3, got 3x2\n");
}

TEST_F(EvaluatorTest, RejectsAWrongRankAndNamesTheInput) {
  EXPECT_TRUE(failed(
      evaluate(kSwap, {ReferenceTensor({2, 3}), ReferenceTensor({1, 4})})));
  EXPECT_EQ(diagnosticText(),
            "expected argument 1 (input_ids) of shape ?, got 1x4\n");
}

TEST_F(EvaluatorTest, RejectsFractionsInIntegerArguments) {
  EXPECT_TRUE(failed(evaluate(kSwap, {ReferenceTensor({2, 3}),
                                      ReferenceTensor({2}, {1.0, 2.5})})));
  EXPECT_NE(diagnosticText().find(
                "expected integers in argument 1 (input_ids), got 2.5"),
            std::string::npos)
      << diagnosticText();
}

TEST_F(EvaluatorTest, EvaluatesDenseConstants) {
  FailureOr<std::vector<ReferenceTensor>> results = evaluate(
      R"mlir(
  func.func @test() -> (tensor<2x2xf32>, tensor<3xi64>, tensor<2xi1>,
                        tensor<2xbf16>) {
    %splat = arith.constant dense<0.5> : tensor<2x2xf32>
    %ints = arith.constant dense<[-3, 0, 7]> : tensor<3xi64>
    %bools = arith.constant dense<[true, false]> : tensor<2xi1>
    %halves = arith.constant dense<[1.5, -2.0]> : tensor<2xbf16>
    return %splat, %ints, %bools, %halves
        : tensor<2x2xf32>, tensor<3xi64>, tensor<2xi1>, tensor<2xbf16>
  }
)mlir",
      {});
  ASSERT_TRUE(succeeded(results)) << diagnosticText();
  ASSERT_EQ(results->size(), 4u);
  EXPECT_TRUE(isTensorNear((*results)[0], {2, 2}, {0.5, 0.5, 0.5, 0.5}));
  EXPECT_TRUE(isTensorNear((*results)[1], {3}, {-3, 0, 7}));
  EXPECT_TRUE(isTensorNear((*results)[2], {2}, {1, 0}));
  EXPECT_TRUE(isTensorNear((*results)[3], {2}, {1.5, -2.0}));
}

TEST_F(EvaluatorTest, RejectsScalarConstants) {
  EXPECT_TRUE(failed(evaluate(R"mlir(
  func.func @test() -> f32 {
    %c = arith.constant 1.0 : f32
    return %c : f32
  }
)mlir",
                              {})));
  EXPECT_NE(diagnosticText().find("expected a dense tensor constant"),
            std::string::npos)
      << diagnosticText();
}

TEST_F(EvaluatorTest, RejectsUnsupportedOpsByName) {
  EXPECT_TRUE(failed(evaluate(R"mlir(
  func.func @test(%a: tensor<2xf32>) -> tensor<2xf32> {
    %0 = arith.addf %a, %a : tensor<2xf32>
    return %0 : tensor<2xf32>
  }
)mlir",
                              {ReferenceTensor({2})})));
  EXPECT_EQ(diagnosticText(),
            "the reference evaluator does not support op 'arith.addf'\n");
}

TEST_F(EvaluatorTest, RejectsDeclarations) {
  EXPECT_TRUE(failed(evaluate(R"mlir(
  func.func private @test(%a: tensor<2xf32>) -> tensor<2xf32>
)mlir",
                              {ReferenceTensor({2})})));
  EXPECT_EQ(diagnosticText(), "expected a function body to evaluate\n");
}

/// Adds two vectors whose sizes are only known at run time.
constexpr const char *kDynamicAdd = R"mlir(
  func.func @test(%a: tensor<?xf32>, %b: tensor<?xf32>) -> tensor<3xf32> {
    %0 = kiln.add %a, %b : (tensor<?xf32>, tensor<?xf32>) -> tensor<3xf32>
    return %0 : tensor<3xf32>
  }
)mlir";

TEST_F(EvaluatorTest, DynamicSizesComeFromTheArguments) {
  std::optional<ReferenceTensor> sum =
      evaluateOne(kDynamicAdd, {ReferenceTensor({3}, {1, 2, 3}),
                                ReferenceTensor({3}, {10, 20, 30})});
  ASSERT_TRUE(sum);
  EXPECT_TRUE(isTensorNear(*sum, {3}, {11, 22, 33}));
}

TEST_F(EvaluatorTest, RejectsRunTimeSizesThatDoNotBroadcast) {
  EXPECT_TRUE(failed(evaluate(
      kDynamicAdd, {ReferenceTensor({2}), ReferenceTensor({3})})));
  EXPECT_EQ(diagnosticText(), "operand shapes 2 and 3 do not broadcast\n");
}

TEST_F(EvaluatorTest, RejectsResultsThatContradictTheirType) {
  EXPECT_TRUE(failed(evaluate(
      kDynamicAdd, {ReferenceTensor({2}), ReferenceTensor({2})})));
  EXPECT_EQ(diagnosticText(), "expected result 0 shape 3, got 2\n");
}

} // namespace
} // namespace kiln
