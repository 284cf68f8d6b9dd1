//===- KernelSignatureTest.cpp - Kernel signatures and their keys ---------===//
//
// Which dimensions and attributes a signature keeps (and so which ops share
// a kernel), the exact key text, the errors for ops without kernels, and
// that every kiln op but reshape has a generator.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/KernelSignature.h"
#include "dialect/KilnDialect.h"

#include "mlir/IR/Diagnostics.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// Parses `body` as the body of a function with arguments `arguments` and
/// returns the signature key of its first kiln op, or the error it emits.
std::string keyOrError(const std::string &arguments, const std::string &body) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  std::string error;
  mlir::ScopedDiagnosticHandler handler(context.get(),
                                        [&](mlir::Diagnostic &diagnostic) {
                                          error = diagnostic.str();
                                          return mlir::success();
                                        });
  mlir::OwningOpRef<mlir::ModuleOp> module = parseModule(
      *context, "func.func @f(" + arguments + ") {\n" + body + "\n return\n}");
  if (!module)
    return "parse error: " + error;
  mlir::FailureOr<KernelSignature> signature =
      signatureOf(getKilnOp(getFunction(*module)));
  return succeeded(signature) ? signature->key() : error;
}

TEST(KernelSignatureTest, LinearKeyBakesFeaturesAndEpilogue) {
  EXPECT_EQ(keyOrError("%x: tensor<1x?x768xf32>, %w: tensor<3072x768xf32>, "
                       "%b: tensor<3072xf32>",
                       "%y = kiln.linear %x, %w bias %b activation gelu_tanh "
                       ": (tensor<1x?x768xf32>, tensor<3072x768xf32>, "
                       "tensor<3072xf32>) -> tensor<1x?x3072xf32>"),
            "kiln.linear{activation=gelu_tanh,bias=1,packed_weight=0,"
            "residual=0}"
            "(?x?x768xf32,3072x768xf32,3072xf32)->(?x?x3072xf32)");
}

TEST(KernelSignatureTest, ModelWeightsArePacked) {
  EXPECT_EQ(keyOrError("%x: tensor<?x8xf32>, "
                       "%w: tensor<4x8xf32> {kiln.weight = \"w\"}",
                       "%y = kiln.linear %x, %w "
                       ": (tensor<?x8xf32>, tensor<4x8xf32>) -> tensor<?x4xf32>"),
            "kiln.linear{activation=none,bias=0,packed_weight=1,residual=0}"
            "(?x8xf32,4x8xf32)->(?x4xf32)");
  // Only f32 weights are packed.
  EXPECT_EQ(keyOrError("%x: tensor<?x8xbf16>, "
                       "%w: tensor<4x8xbf16> {kiln.weight = \"w\"}",
                       "%y = kiln.linear %x, %w : (tensor<?x8xbf16>, "
                       "tensor<4x8xbf16>) -> tensor<?x4xbf16>"),
            "kiln.linear{activation=none,bias=0,packed_weight=0,residual=0}"
            "(?x8xbf16,4x8xbf16)->(?x4xbf16)");
}

TEST(KernelSignatureTest, StaticBatchAndSequenceAreStillRunTime) {
  std::string dynamic = keyOrError(
      "%x: tensor<?x?x64xf32>, %g: tensor<64xf32>",
      "%y = kiln.rms_norm %x, %g epsilon 1.0e-06 : (tensor<?x?x64xf32>, "
      "tensor<64xf32>) -> tensor<?x?x64xf32>");
  std::string fixed = keyOrError(
      "%x: tensor<1x128x64xf32>, %g: tensor<64xf32>",
      "%y = kiln.rms_norm %x, %g epsilon 1.0e-06 : (tensor<1x128x64xf32>, "
      "tensor<64xf32>) -> tensor<1x128x64xf32>");
  EXPECT_EQ(dynamic, fixed);
  EXPECT_EQ(dynamic, "kiln.rms_norm{epsilon=1e-06}(?x?x64xf32,64xf32)->"
                     "(?x?x64xf32)");
}

TEST(KernelSignatureTest, RmsNormKeyHasItsGammaOffset) {
  EXPECT_EQ(keyOrError("%x: tensor<?x?x64xf32>, %g: tensor<64xf32>",
                       "%y = kiln.rms_norm %x, %g epsilon 1.0e-06 "
                       "gamma_offset 1.0 : (tensor<?x?x64xf32>, "
                       "tensor<64xf32>) -> tensor<?x?x64xf32>"),
            "kiln.rms_norm{epsilon=1e-06,gamma_offset=1}(?x?x64xf32,64xf32)->"
            "(?x?x64xf32)");
}

TEST(KernelSignatureTest, AttentionKeyHasHeadsMaskAndScale) {
  EXPECT_EQ(keyOrError("%q: tensor<1x32x?x128xf32>, %k: tensor<1x8x?x128xf32>, "
                       "%v: tensor<1x8x?x128xf32>, %m: tensor<1x?xi64>",
                       "%o = kiln.attention %q, %k, %v key_padding %m scale "
                       "0.088388347648318440 mask sliding_window window 4096 : "
                       "(tensor<1x32x?x128xf32>, tensor<1x8x?x128xf32>, "
                       "tensor<1x8x?x128xf32>, tensor<1x?xi64>) -> "
                       "tensor<1x32x?x128xf32>"),
            "kiln.attention{key_padding=1,mask=sliding_window,"
            "scale=0.08838834764831845,window=4096}"
            "(?x32x?x128xf32,?x8x?x128xf32,?x8x?x128xf32,?x?xi64)->"
            "(?x32x?x128xf32)");
}

TEST(KernelSignatureTest, BroadcastDimensionsAreBakedAsOne) {
  EXPECT_EQ(keyOrError("%a: tensor<1x12x?x?xf32>, %b: tensor<1x1x?x?xf32>",
                       "%y = kiln.add %a, %b : (tensor<1x12x?x?xf32>, "
                       "tensor<1x1x?x?xf32>) -> tensor<1x12x?x?xf32>"),
            "kiln.add{}(?x?x?x?xf32,?x1x?x?xf32)->(?x?x?x?xf32)");
}

TEST(KernelSignatureTest, MatmulBakesTheStaticMatrixDimensions) {
  EXPECT_EQ(keyOrError("%q: tensor<1x12x?x64xf32>, %k: tensor<1x12x?x64xf32>",
                       "%s = kiln.matmul %q, %k transpose_rhs : "
                       "(tensor<1x12x?x64xf32>, tensor<1x12x?x64xf32>) -> "
                       "tensor<1x12x?x?xf32>"),
            "kiln.matmul{transpose_lhs=0,transpose_rhs=1}"
            "(?x?x?x64xf32,?x?x?x64xf32)->(?x?x?x?xf32)");
}

TEST(KernelSignatureTest, LayoutOpsKeepTheirStructure) {
  EXPECT_EQ(keyOrError("%x: tensor<1x?x2304xf32>",
                       "%k = kiln.slice %x axis 2 offset 768 : "
                       "tensor<1x?x2304xf32> -> tensor<1x?x768xf32>"),
            "kiln.slice{axis=2,offset=768}(?x?x?xf32)->(?x?x768xf32)");
  EXPECT_EQ(keyOrError("%x: tensor<1x?x12x64xf32>",
                       "%t = kiln.transpose %x [0, 2, 1, 3] : "
                       "tensor<1x?x12x64xf32> -> tensor<1x12x?x64xf32>"),
            "kiln.transpose{permutation=[0,2,1,3]}(?x?x?x?xf32)->"
            "(?x?x?x?xf32)");
  EXPECT_EQ(keyOrError("%x: tensor<1x?x768xf32>",
                       "%q = kiln.split_heads %x : tensor<1x?x768xf32> -> "
                       "tensor<1x12x?x64xf32>"),
            "kiln.split_heads{}(?x?x768xf32)->(?x12x?x64xf32)");
}

TEST(KernelSignatureTest, RopeResolvesTheRotaryDimension) {
  EXPECT_EQ(keyOrError("%x: tensor<1x32x?x128xf32>",
                       "%y = kiln.rope %x theta 500000.0 style half : "
                       "tensor<1x32x?x128xf32>"),
            "kiln.rope{rotary_dim=128,style=half,theta=5e+05}"
            "(?x?x?x128xf32)->(?x?x?x128xf32)");
}

TEST(KernelSignatureTest, RopeBakesItsScaling) {
  EXPECT_EQ(keyOrError("%x: tensor<1x8x?x64xf32>",
                       "%y = kiln.rope %x theta 500000.0 style half scaling "
                       "llama3 factor 32.0 low_freq_factor 1.0 "
                       "high_freq_factor 4.0 original_max_positions 8192 : "
                       "tensor<1x8x?x64xf32>"),
            "kiln.rope{factor=32,high_freq_factor=4,low_freq_factor=1,"
            "original_max_positions=8192,rotary_dim=64,scaling=llama3,style="
            "half,theta=5e+05}(?x?x?x64xf32)->(?x?x?x64xf32)");
}

TEST(KernelSignatureTest, ReshapeHasNoKernel) {
  EXPECT_EQ(keyOrError("%x: tensor<1x?x768xf32>",
                       "%y = kiln.reshape %x : tensor<1x?x768xf32> -> "
                       "tensor<1x?x12x64xf32>"),
            "'kiln.reshape' is a view of its operand and has no kernel");
}

TEST(KernelSignatureTest, DynamicFeatureWidthIsAnError) {
  EXPECT_EQ(keyOrError("%x: tensor<1x?x?xf32>, %w: tensor<16x?xf32>",
                       "%y = kiln.linear %x, %w : (tensor<1x?x?xf32>, "
                       "tensor<16x?xf32>) -> tensor<1x?x16xf32>"),
            "kernel generation needs a static in_features (dimension 2 of "
            "type 'tensor<1x?x?xf32>'), got a dynamic size");
}

TEST(KernelSignatureTest, EveryKilnOpButReshapeHasAGenerator) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  int numOps = 0;
  for (mlir::RegisteredOperationName name :
       context->getRegisteredOperations()) {
    if (name.getDialectNamespace() != "kiln")
      continue;
    ++numOps;
    const KernelGenerator *generator =
        lookupKernelGenerator(name.getStringRef());
    if (name.getStringRef() == "kiln.reshape")
      EXPECT_EQ(generator, nullptr);
    else
      EXPECT_NE(generator, nullptr) << name.getStringRef().str();
  }
  EXPECT_GT(numOps, 0);
}

} // namespace
