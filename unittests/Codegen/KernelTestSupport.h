//===- KernelTestSupport.h - Kernels against the reference ------*- C++ -*-===//
//
// Helpers of the kernel tests: parse a function holding one kiln op, build
// its kernel with a schedule for the host CPU, JIT-compile it once through
// the KernelRunner, and run it on seeded random arguments for any number of
// run-time sizes, comparing every result with the fp64 reference evaluator.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_UNITTESTS_CODEGEN_KERNELTESTSUPPORT_H
#define KILN_UNITTESTS_CODEGEN_KERNELTESTSUPPORT_H

#include "codegen/cpu/KernelRunner.h"
#include "reference/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include <memory>
#include <optional>
#include <vector>

namespace kiln::test {

/// Parses `source` (a module with one function) into `context`, which must
/// have the kiln, func and arith dialects loaded; null on a parse error.
mlir::OwningOpRef<mlir::ModuleOp> parseModule(mlir::MLIRContext &context,
                                              llvm::StringRef source);

/// The first function of `module`.
mlir::func::FuncOp getFunction(mlir::ModuleOp module);

/// The first kiln op of `func`.
mlir::Operation *getKilnOp(mlir::func::FuncOp func);

/// A context with the dialects that test functions use.
std::unique_ptr<mlir::MLIRContext> createContext();

/// How closely a kernel must match the reference: every finite expected
/// element `x` must satisfy `|kernel - x| <= tolerance * max(1, max|x|)`
/// over the result; non-finite elements must match exactly.
struct Tolerance {
  double relativeToMax = 1e-5;
};

/// One kernel generated for the kiln op of a function and JIT-compiled.
class KernelUnderTest {
public:
  /// Parses `source`, generates the kernel of its first kiln op with
  /// `schedule` (the default on the test target when absent) and
  /// JIT-compiles it.
  /// Fails the current test and returns null on any error.
  static std::unique_ptr<KernelUnderTest>
  create(llvm::StringRef source,
         std::optional<Schedule> schedule = std::nullopt);

  /// The seeded random arguments of the function for `dynamicSizes` (see
  /// kiln::randomArguments), float ones multiplied by `floatScale` so that
  /// activations see values of order one, then rounded to their type.
  std::vector<ReferenceTensor>
  makeArguments(llvm::ArrayRef<int64_t> dynamicSizes, uint64_t seed,
                double floatScale = 50.0);

  /// Runs the compiled kernel on `arguments` (one per function argument,
  /// passed to the op in order) with results of the shapes the reference
  /// computes, and checks them against the reference.
  void expectMatchesReference(llvm::ArrayRef<ReferenceTensor> arguments,
                              Tolerance tolerance = {});

  /// Like `expectMatchesReference` on `makeArguments(dynamicSizes, seed)`.
  void expectMatchesReference(llvm::ArrayRef<int64_t> dynamicSizes,
                              uint64_t seed = 1, Tolerance tolerance = {});

  /// Runs the kernel on `arguments` with results of `resultShapes`
  /// (outermost first); returns the results, or nothing after failing the
  /// test when the kernel reports an error.
  std::optional<std::vector<ReferenceTensor>>
  run(llvm::ArrayRef<ReferenceTensor> arguments,
      llvm::ArrayRef<llvm::SmallVector<int64_t>> resultShapes);

  /// The signature of the op.
  const KernelSignature &getSignature() const { return signature; }

  /// The runner of the compiled kernel.
  KernelRunner &getRunner() { return *runner; }

private:
  KernelUnderTest(std::unique_ptr<mlir::MLIRContext> context,
                  mlir::OwningOpRef<mlir::ModuleOp> module,
                  KernelSignature signature,
                  std::unique_ptr<KernelRunner> runner);

  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  mlir::func::FuncOp func;
  mlir::Operation *op;
  KernelSignature signature;
  std::unique_ptr<KernelRunner> runner;
};

/// The target that the kernel tests compile for.
struct KernelTestTarget {
  /// As parseKernelTarget reads it.
  const char *name;
  /// Whether the runtime's AMX kernels run on the scalar emulation of the
  /// tile unit (runtime/src/AmxTiles.h) rather than on AMX.
  bool isAmxEmulated;
};

/// KilnKernelTests compiles for the host (HostTestTarget.cpp);
/// KilnAmxEmulationTests compiles the AMX kernels, which it links against
/// the emulation, so that machines without AMX check them
/// (AmxEmulationTestTarget.cpp).
const KernelTestTarget &getKernelTestTarget();

/// Builds the kernel of the op in `source` with the default schedule and
/// checks it against the reference once per entry of `dynamicSizeSets`
/// (each passed to `makeArguments`), all through one compiled pipeline, so
/// that no run-time size can be baked into the code.
void expectKernelMatchesReference(
    llvm::StringRef source,
    llvm::ArrayRef<std::vector<int64_t>> dynamicSizeSets,
    Tolerance tolerance = {});

/// Checks `actual` against `expected` within `tolerance`; `what` names the
/// result in failure messages.
void expectClose(const ReferenceTensor &actual, const ReferenceTensor &expected,
                 Tolerance tolerance, const std::string &what);

} // namespace kiln::test

#endif // KILN_UNITTESTS_CODEGEN_KERNELTESTSUPPORT_H
