//===- KernelProbeTest.cpp - The kernels of a model, ready to measure -----===//
//
// Kernels are collected as the kernel compiler plans them, with calls per
// forward, probes that keep the op's signature, and the concrete shapes of
// each workload; probes specialise to static functions.
//
//===----------------------------------------------------------------------===//

#include "TuningTestSupport.h"

#include "codegen/tuning/KernelProbe.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// Two layer norms of one signature, then a linear layer.
constexpr llvm::StringLiteral kModel = R"mlir(
module attributes {kiln.max_seq_len = 64 : i64} {
  func.func @forward(%x: tensor<1x?x64xf32> {kiln.input = "hidden"},
                     %gamma: tensor<64xf32> {kiln.weight = "g"},
                     %beta: tensor<64xf32> {kiln.weight = "b"},
                     %w: tensor<32x64xf32> {kiln.weight = "w"})
      -> tensor<1x?x32xf32> {
    %0 = kiln.layer_norm %x, %gamma, %beta epsilon 1.000000e-05 : (tensor<1x?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x?x64xf32>
    %1 = kiln.layer_norm %0, %gamma, %beta epsilon 1.000000e-05 : (tensor<1x?x64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x?x64xf32>
    %2 = kiln.linear %1, %w : (tensor<1x?x64xf32>, tensor<32x64xf32>) -> tensor<1x?x32xf32>
    return %2 : tensor<1x?x32xf32>
  }
}
)mlir";

class KernelProbeTest : public ::testing::Test {
protected:
  KernelProbeTest() : context(createContext()) {
    module = mlir::parseSourceString<mlir::ModuleOp>(kModel, context.get());
  }

  mlir::func::FuncOp getForward() {
    return module->lookupSymbol<mlir::func::FuncOp>("forward");
  }

  std::unique_ptr<mlir::MLIRContext> context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

TEST_F(KernelProbeTest, KernelsHaveCallsShapesAndProbes) {
  ASSERT_TRUE(module);
  ShapeBucket bucket{1, {16, 48}};
  mlir::FailureOr<std::vector<TuningKernel>> kernels =
      collectTuningKernels(getForward(), bucket, ShapeWorkload{1, 5});
  ASSERT_TRUE(mlir::succeeded(kernels));
  ASSERT_EQ(kernels->size(), 2u);

  const TuningKernel &norm = (*kernels)[0];
  EXPECT_EQ(norm.name, "kiln_k0_layer_norm");
  EXPECT_EQ(norm.calls, 2u);
  ASSERT_EQ(norm.workloads.size(), 2u);
  EXPECT_EQ(norm.workloads[1].name, "seq=48");
  EXPECT_EQ(norm.workloads[1].operands,
            (std::vector<ConcreteShape>{{1, 48, 64}, {64}, {64}}));
  EXPECT_EQ(norm.workloads[1].results,
            (std::vector<ConcreteShape>{{1, 48, 64}}));
  EXPECT_EQ(norm.check.name, "seq=5");
  EXPECT_EQ(norm.check.operands[0], (ConcreteShape{1, 5, 64}));

  // The linear layer's weight keeps its `kiln.weight` attribute in the
  // probe, so the probe's kernel reads it packed, as the model's does.
  const TuningKernel &linear = (*kernels)[1];
  EXPECT_EQ(linear.calls, 1u);
  EXPECT_NE(linear.key.find("packed_weight=1"), std::string::npos);
  mlir::OwningOpRef<mlir::ModuleOp> probe =
      mlir::parseSourceString<mlir::ModuleOp>(linear.probe, context.get());
  ASSERT_TRUE(probe);
  mlir::Operation *probeOp = findProbeOp(*probe);
  ASSERT_NE(probeOp, nullptr);
  mlir::FailureOr<KernelSignature> signature = signatureOf(probeOp);
  ASSERT_TRUE(mlir::succeeded(signature));
  EXPECT_EQ(signature->key(), linear.key);

  mlir::FailureOr<mlir::func::FuncOp> specialized =
      specializeProbe(probeOp, linear.workloads[0]);
  ASSERT_TRUE(mlir::succeeded(specialized));
  EXPECT_EQ(specialized->getFunctionType().getInput(0),
            mlir::RankedTensorType::get({1, 16, 64},
                                        mlir::Float32Type::get(context.get())));
  EXPECT_EQ(specialized->getFunctionType().getResult(0),
            mlir::RankedTensorType::get({1, 16, 32},
                                        mlir::Float32Type::get(context.get())));
}

TEST_F(KernelProbeTest, SizesAboveTheModelsMaximumAreRefused) {
  ASSERT_TRUE(module);
  std::string message;
  mlir::ScopedDiagnosticHandler handler(context.get(),
                                        [&](mlir::Diagnostic &diagnostic) {
                                          message = diagnostic.str();
                                          return mlir::success();
                                        });
  ShapeBucket bucket{1, {128}};
  EXPECT_TRUE(mlir::failed(
      collectTuningKernels(getForward(), bucket, ShapeWorkload{1, 5})));
  EXPECT_EQ(message, "the shape bucket sets 'seq' to 128, above the model's "
                     "maximum of 64");
}

TEST_F(KernelProbeTest, SpecializationChecksTheShapes) {
  ASSERT_TRUE(module);
  mlir::FailureOr<std::vector<TuningKernel>> kernels = collectTuningKernels(
      getForward(), ShapeBucket{1, {16}}, ShapeWorkload{1, 5});
  ASSERT_TRUE(mlir::succeeded(kernels));
  mlir::OwningOpRef<mlir::ModuleOp> probe =
      mlir::parseSourceString<mlir::ModuleOp>((*kernels)[0].probe,
                                              context.get());
  ASSERT_TRUE(probe);
  std::string message;
  mlir::ScopedDiagnosticHandler handler(context.get(),
                                        [&](mlir::Diagnostic &diagnostic) {
                                          message = diagnostic.str();
                                          return mlir::success();
                                        });
  KernelWorkload wrongRank = {"bad", {{16, 64}, {64}, {64}}, {{16, 64}}};
  EXPECT_TRUE(mlir::failed(specializeProbe(findProbeOp(*probe), wrongRank)));
  EXPECT_EQ(message, "expected operand shape of rank 3, got rank 2");
}

} // namespace
