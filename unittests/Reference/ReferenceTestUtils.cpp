//===- ReferenceTestUtils.cpp - Helpers of the reference tests ------------===//

#include "ReferenceTestUtils.h"

#include "dialect/KilnDialect.h"
#include "dialect/ShapeUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Parser/Parser.h"

#include <cmath>

using namespace mlir;

namespace kiln {

ReferenceTest::ReferenceTest()
    : diagnosticHandler(&context, [this](Diagnostic &diagnostic) {
        diagnostics.push_back(diagnostic.str());
        return success();
      }) {
  context.loadDialect<kiln::KilnDialect, func::FuncDialect,
                      arith::ArithDialect>();
}

func::FuncOp ReferenceTest::parseFunction(StringRef source, StringRef name) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  if (!module) {
    ADD_FAILURE() << "cannot parse the test input:\n" << diagnosticText();
    return nullptr;
  }
  auto func = module->lookupSymbol<func::FuncOp>(name);
  if (!func)
    ADD_FAILURE() << "the test input has no function @" << name.str();
  modules.push_back(std::move(module));
  return func;
}

FailureOr<std::vector<ReferenceTensor>>
ReferenceTest::evaluate(StringRef source, ArrayRef<ReferenceTensor> arguments,
                        StringRef name) {
  func::FuncOp func = parseFunction(source, name);
  if (!func)
    return failure();
  return evaluateFunction(func, arguments);
}

std::optional<ReferenceTensor>
ReferenceTest::evaluateOne(StringRef source,
                           ArrayRef<ReferenceTensor> arguments) {
  FailureOr<std::vector<ReferenceTensor>> results =
      evaluate(source, arguments);
  if (failed(results)) {
    ADD_FAILURE() << "evaluation failed:\n" << diagnosticText();
    return std::nullopt;
  }
  if (results->size() != 1) {
    ADD_FAILURE() << "expected one result, got " << results->size();
    return std::nullopt;
  }
  return std::move(results->front());
}

std::string ReferenceTest::diagnosticText() const {
  std::string text;
  for (const std::string &message : diagnostics)
    text += message + "\n";
  return text;
}

::testing::AssertionResult isTensorNear(const ReferenceTensor &actual,
                                        ArrayRef<int64_t> shape,
                                        ArrayRef<double> expected,
                                        double tolerance) {
  if (actual.getShape() != shape)
    return ::testing::AssertionFailure()
           << "shape " << kiln::formatShape(actual.getShape())
           << ", expected " << kiln::formatShape(shape);
  if (actual.getNumElements() != static_cast<int64_t>(expected.size()))
    return ::testing::AssertionFailure()
           << actual.getNumElements() << " elements, expected "
           << expected.size();
  for (int64_t i = 0, e = actual.getNumElements(); i < e; ++i) {
    bool isClose = std::isinf(expected[i])
                       ? actual[i] == expected[i]
                       : std::abs(actual[i] - expected[i]) <= tolerance;
    if (!isClose)
      return ::testing::AssertionFailure()
             << "element " << i << " is " << actual[i] << ", expected "
             << expected[i] << " within " << tolerance;
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult isTensorNear(const ReferenceTensor &actual,
                                        const ReferenceTensor &expected,
                                        double tolerance) {
  return isTensorNear(actual, expected.getShape(), expected.getElements(),
                      tolerance);
}

} // namespace kiln
