//===- ModelLoader.h - The graph-level IR that kiln-tune tunes --*- C++ -*-===//
//
// kiln-tune must see the same kernels that kiln-compile compiles, so it
// reads the model the same way (a Kiln spec, a Hugging Face config.json or
// kiln IR in a .mlir file) and runs the same graph pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILNTUNE_MODELLOADER_H
#define KILN_TOOLS_KILNTUNE_MODELLOADER_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"

namespace kiln {

/// Reads the model at `path` into `context` and runs the graph pipeline on
/// it. Diagnostics go to the handler of `context` (through `sourceMgr`);
/// null after reporting an error.
mlir::OwningOpRef<mlir::ModuleOp> loadGraphModule(llvm::StringRef path,
                                                  mlir::MLIRContext &context,
                                                  llvm::SourceMgr &sourceMgr);

} // namespace kiln

#endif // KILN_TOOLS_KILNTUNE_MODELLOADER_H
