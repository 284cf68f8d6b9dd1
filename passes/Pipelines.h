//===- Pipelines.h - Named pass pipelines of Kiln ---------------*- C++ -*-===//
//
// The pipelines are built in library code so that kiln-opt (through their
// registered names) and kiln-compile run exactly the same passes.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_PASSES_PIPELINES_H
#define KILN_PASSES_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace kiln {

/// Appends the graph pipeline (`kiln-graph-pipeline`) to `pm`, which must
/// run on a module: clean-up, the fusions, clean-up again, then memory
/// planning of every function.
void buildGraphPipeline(mlir::OpPassManager &pm);

/// Registers the named pipelines with the global pass registry.
void registerKilnPipelines();

} // namespace kiln

#endif // KILN_PASSES_PIPELINES_H
