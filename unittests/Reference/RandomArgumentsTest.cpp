//===- RandomArgumentsTest.cpp - Tests of the seeded argument generator ---===//
//
// The generator must give each argument values that suit its use (ids
// inside the vocabulary, right-padded masks, gains near one, small weights),
// resolve dynamic sizes by position, and repeat itself for a given seed.
//
//===----------------------------------------------------------------------===//

#include "ReferenceTestUtils.h"

#include <algorithm>
#include <cmath>

using namespace mlir;

namespace kiln {
namespace {

class RandomArgumentsTest : public ReferenceTest {
protected:
  /// A small embedding model: ids and mask of shape [batch, seq], a 50-row
  /// token table, a layer norm and a mean pool.
  func::FuncOp parseModel() {
    return parseFunction(R"mlir(
  func.func @test(%ids: tensor<?x?xi64> {kiln.input = "input_ids"},
                  %mask: tensor<?x?xi64> {kiln.input = "attention_mask"},
                  %wte: tensor<50x16xf32> {kiln.weight = "wte"},
                  %gamma: tensor<16xf32> {kiln.weight = "ln.weight"},
                  %beta: tensor<16xf32> {kiln.weight = "ln.bias"})
      -> tensor<?x16xf32> {
    %x = kiln.embedding %wte[%ids]
        : tensor<50x16xf32>, tensor<?x?xi64> -> tensor<?x?x16xf32>
    %h = kiln.layer_norm %x, %gamma, %beta epsilon 1.0e-05
        : (tensor<?x?x16xf32>, tensor<16xf32>, tensor<16xf32>)
        -> tensor<?x?x16xf32>
    %e = kiln.mean_pool %h mask %mask
        : (tensor<?x?x16xf32>, tensor<?x?xi64>) -> tensor<?x16xf32>
    return %e : tensor<?x16xf32>
  }
)mlir");
  }
};

/// The mean and standard deviation of `values`.
std::pair<double, double> meanAndStdDev(llvm::ArrayRef<double> values) {
  double mean = 0.0, squares = 0.0;
  for (double value : values)
    mean += value;
  mean /= values.size();
  for (double value : values)
    squares += (value - mean) * (value - mean);
  return {mean, std::sqrt(squares / values.size())};
}

TEST_F(RandomArgumentsTest, DynamicDimensionsTakeTheSizeOfTheirPosition) {
  func::FuncOp func = parseModel();
  ASSERT_TRUE(func);
  FailureOr<std::vector<ReferenceTensor>> arguments =
      randomArguments(func, /*seed=*/1, /*dynamicSizes=*/{3, 7});
  ASSERT_TRUE(succeeded(arguments)) << diagnosticText();
  ASSERT_EQ(arguments->size(), 5u);
  EXPECT_EQ((*arguments)[0].getShape(), llvm::ArrayRef<int64_t>({3, 7}));
  EXPECT_EQ((*arguments)[1].getShape(), llvm::ArrayRef<int64_t>({3, 7}));
  EXPECT_EQ((*arguments)[2].getShape(), llvm::ArrayRef<int64_t>({50, 16}));
}

TEST_F(RandomArgumentsTest, IdsStayInsideTheVocabulary) {
  func::FuncOp func = parseModel();
  ASSERT_TRUE(func);
  FailureOr<std::vector<ReferenceTensor>> arguments =
      randomArguments(func, /*seed=*/2, /*dynamicSizes=*/{8, 64});
  ASSERT_TRUE(succeeded(arguments)) << diagnosticText();
  llvm::ArrayRef<double> ids = (*arguments)[0].getElements();
  for (double id : ids) {
    EXPECT_EQ(id, std::trunc(id));
    EXPECT_GE(id, 0);
    EXPECT_LT(id, 50);
  }
  // 512 draws from 50 ids reach both ends of the range in practice.
  EXPECT_EQ(*std::min_element(ids.begin(), ids.end()), 0);
  EXPECT_EQ(*std::max_element(ids.begin(), ids.end()), 49);
}

TEST_F(RandomArgumentsTest, MasksAreRightPaddedByAtMostHalf) {
  func::FuncOp func = parseModel();
  ASSERT_TRUE(func);
  FailureOr<std::vector<ReferenceTensor>> arguments =
      randomArguments(func, /*seed=*/3, /*dynamicSizes=*/{32, 10});
  ASSERT_TRUE(succeeded(arguments)) << diagnosticText();
  const ReferenceTensor &mask = (*arguments)[1];
  int64_t paddedRows = 0;
  for (int64_t b = 0; b < 32; ++b) {
    int64_t kept = 0;
    while (kept < 10 && mask.at({b, kept}) == 1)
      ++kept;
    for (int64_t s = kept; s < 10; ++s)
      EXPECT_EQ(mask.at({b, s}), 0) << "row " << b << " position " << s;
    EXPECT_GE(kept, 5) << "row " << b;
    paddedRows += kept < 10;
  }
  EXPECT_GT(paddedRows, 0);
  EXPECT_LT(paddedRows, 32);
}

TEST_F(RandomArgumentsTest, GainsAreNearOneAndWeightsSmall) {
  func::FuncOp func = parseModel();
  ASSERT_TRUE(func);
  FailureOr<std::vector<ReferenceTensor>> arguments =
      randomArguments(func, /*seed=*/4, /*dynamicSizes=*/{1, 1});
  ASSERT_TRUE(succeeded(arguments)) << diagnosticText();
  auto [tableMean, tableStdDev] = meanAndStdDev((*arguments)[2].getElements());
  EXPECT_NEAR(tableMean, 0.0, 0.005);
  EXPECT_NEAR(tableStdDev, 0.02, 0.004);
  auto [gainMean, gainStdDev] = meanAndStdDev((*arguments)[3].getElements());
  EXPECT_NEAR(gainMean, 1.0, 0.1);
  EXPECT_GT(gainStdDev, 0.02);
  EXPECT_LT(gainStdDev, 0.3);
  auto [biasMean, biasStdDev] = meanAndStdDev((*arguments)[4].getElements());
  EXPECT_NEAR(biasMean, 0.0, 0.05);
  EXPECT_LT(biasStdDev, 0.05);
}

TEST_F(RandomArgumentsTest, TheSeedDeterminesTheValues) {
  func::FuncOp func = parseModel();
  ASSERT_TRUE(func);
  FailureOr<std::vector<ReferenceTensor>> first =
      randomArguments(func, /*seed=*/5, /*dynamicSizes=*/{2, 6});
  FailureOr<std::vector<ReferenceTensor>> again =
      randomArguments(func, /*seed=*/5, /*dynamicSizes=*/{2, 6});
  FailureOr<std::vector<ReferenceTensor>> other =
      randomArguments(func, /*seed=*/6, /*dynamicSizes=*/{2, 6});
  ASSERT_TRUE(succeeded(first) && succeeded(again) && succeeded(other))
      << diagnosticText();
  for (size_t i = 0; i < first->size(); ++i)
    EXPECT_EQ((*first)[i].getElements(), (*again)[i].getElements());
  EXPECT_NE((*first)[2].getElements(), (*other)[2].getElements());
}

TEST_F(RandomArgumentsTest, TheModelEvaluatesOnItsRandomArguments) {
  func::FuncOp func = parseModel();
  ASSERT_TRUE(func);
  FailureOr<std::vector<ReferenceTensor>> arguments =
      randomArguments(func, /*seed=*/7, /*dynamicSizes=*/{2, 5});
  ASSERT_TRUE(succeeded(arguments)) << diagnosticText();
  FailureOr<std::vector<ReferenceTensor>> results =
      evaluateFunction(func, *arguments);
  ASSERT_TRUE(succeeded(results)) << diagnosticText();
  EXPECT_EQ(results->front().getShape(), llvm::ArrayRef<int64_t>({2, 16}));
}

TEST_F(RandomArgumentsTest, RejectsAMissingDynamicSize) {
  func::FuncOp func = parseModel();
  ASSERT_TRUE(func);
  EXPECT_TRUE(failed(randomArguments(func, /*seed=*/8, /*dynamicSizes=*/{3})));
  EXPECT_EQ(diagnosticText(), "expected a size for dynamic dimension 1 of "
                              "argument 0 (input_ids) in dynamic sizes [3]\n");
}

} // namespace
} // namespace kiln
