//===- kiln-opt.cpp - Kiln's optimizer driver -----------------------------===//
//
// The `mlir-opt` of Kiln: parses kiln IR (with the builtin, func, arith and
// tensor dialects around it), runs the passes named on the command line and
// prints the result. The lit tests drive every pass through it.
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnDialect.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"
#include "test/lib/TestPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  kiln::registerKilnPasses();
  kiln::registerKilnPipelines();
  kiln::test::registerTestPasses();

  mlir::DialectRegistry registry;
  registry.insert<kiln::KilnDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::tensor::TensorDialect>();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Kiln optimizer driver\n", registry));
}
