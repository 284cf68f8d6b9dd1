//===- TestBreakAttentionMask.cpp - A deliberately wrong rewrite ----------===//
//
// `kiln-test-break-attention-mask` drops the structural mask of every
// `kiln.attention`, so causal attention silently sees future tokens. It is
// the kind of bug a real fusion could have, and exists so that tests can
// show that `kiln-compile --verify-numerics` pins it on this pass.
//
//===----------------------------------------------------------------------===//

#include "test/lib/TestPasses.h"

#include "dialect/KilnOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace kiln;

namespace {

struct TestBreakAttentionMaskPass
    : public PassWrapper<TestBreakAttentionMaskPass,
                         OperationPass<func::FuncOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(TestBreakAttentionMaskPass)

  StringRef getArgument() const final {
    return "kiln-test-break-attention-mask";
  }
  StringRef getDescription() const final {
    return "Test only: drops the causal or sliding-window mask of every "
           "kiln.attention (a wrong rewrite for --verify-numerics to catch)";
  }

  void runOnOperation() override {
    getOperation().walk([](AttentionOp attention) {
      attention.setMask(MaskKind::None);
      attention.removeWindowAttr();
    });
  }
};

} // namespace

void kiln::test::registerTestPasses() {
  PassRegistration<TestBreakAttentionMaskPass>();
}
