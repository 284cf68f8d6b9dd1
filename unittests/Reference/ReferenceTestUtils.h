//===- ReferenceTestUtils.h - Helpers of the reference tests ----*- C++ -*-===//
//
// A GoogleTest fixture that parses small functions of kiln IR and evaluates
// them with the reference evaluator, recording the diagnostics it emits, and
// an assertion that compares a tensor with hand-computed values.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_UNITTESTS_REFERENCE_REFERENCETESTUTILS_H
#define KILN_UNITTESTS_REFERENCE_REFERENCETESTUTILS_H

#include "reference/ReferenceEvaluator.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace kiln {

/// Fixture of the reference evaluator tests: a context with the dialects of
/// kiln IR whose diagnostics are recorded rather than printed.
class ReferenceTest : public ::testing::Test {
protected:
  ReferenceTest();

  /// Parses and verifies `source`, a module, and returns its function
  /// `name`; returns null (and fails the test) when that is impossible.
  mlir::func::FuncOp parseFunction(llvm::StringRef source,
                                   llvm::StringRef name = "test");

  /// Parses `source` and evaluates its function `name` on `arguments`.
  mlir::FailureOr<std::vector<ReferenceTensor>>
  evaluate(llvm::StringRef source, llvm::ArrayRef<ReferenceTensor> arguments,
           llvm::StringRef name = "test");

  /// Like `evaluate` for a function of one result; fails the test and
  /// returns nothing if the evaluation fails or gives another result count.
  std::optional<ReferenceTensor>
  evaluateOne(llvm::StringRef source,
              llvm::ArrayRef<ReferenceTensor> arguments);

  /// The messages of the diagnostics emitted so far, one per line.
  std::string diagnosticText() const;

  mlir::MLIRContext context;

private:
  std::vector<std::string> diagnostics;
  mlir::ScopedDiagnosticHandler diagnosticHandler;
  /// Keeps every parsed module alive until the test ends.
  std::vector<mlir::OwningOpRef<mlir::ModuleOp>> modules;
};

/// Whether `actual` has `shape` and elements within `tolerance` of
/// `expected`; infinities must match exactly.
::testing::AssertionResult isTensorNear(const ReferenceTensor &actual,
                                        llvm::ArrayRef<int64_t> shape,
                                        llvm::ArrayRef<double> expected,
                                        double tolerance = 1e-12);

/// Whether `actual` and `expected` have the same shape and elements within
/// `tolerance` of each other.
::testing::AssertionResult isTensorNear(const ReferenceTensor &actual,
                                        const ReferenceTensor &expected,
                                        double tolerance);

} // namespace kiln

#endif // KILN_UNITTESTS_REFERENCE_REFERENCETESTUTILS_H
