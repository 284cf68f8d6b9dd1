//===- Pipelines.cpp - Named pass pipelines of Kiln -----------------------===//

#include "passes/Pipelines.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace kiln;

void kiln::buildGraphPipeline(OpPassManager &pm) {
  // The frontend's graph first loses trivial redundancy (repeated masks,
  // identity reshapes) so that the fusion patterns see canonical chains.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &func = pm.nest<func::FuncOp>();
  func.addPass(createKilnFuseAttentionPass());
  // Residual adds go into the linear that produces them before norms may
  // claim them: the linear then writes the sum once, where
  // kiln.add_layer_norm would read the linear's output back to add it.
  func.addPass(createKilnFuseEpiloguePass());
  func.addPass(createKilnFuseNormPass());
  // On fused ops, so that a slice of the last position moves through whole
  // linear layers and attention rather than their pieces.
  func.addPass(createKilnSinkSlicesPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.nest<func::FuncOp>().addPass(createKilnPlanMemoryPass());
}

void kiln::registerKilnPipelines() {
  PassPipelineRegistration<>(
      "kiln-graph-pipeline",
      "Fuse attention, epilogues and norms, clean up, and plan memory",
      [](OpPassManager &pm) { buildGraphPipeline(pm); });
}
