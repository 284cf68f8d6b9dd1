//===- ModelLoader.cpp - The graph-level IR that kiln-tune tunes ----------===//

#include "ModelLoader.h"

#include "frontend/MLIRGen.h"
#include "frontend/SpecLoader.h"
#include "passes/Pipelines.h"

#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"

using namespace mlir;

namespace kiln {

OwningOpRef<ModuleOp> loadGraphModule(StringRef path, MLIRContext &context,
                                      llvm::SourceMgr &sourceMgr) {
  OwningOpRef<ModuleOp> module;
  if (path.ends_with(".mlir")) {
    std::string errorMessage;
    std::unique_ptr<llvm::MemoryBuffer> buffer =
        openInputFile(path, &errorMessage);
    if (!buffer) {
      emitError(UnknownLoc::get(&context)) << errorMessage;
      return nullptr;
    }
    sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
    module = parseSourceFile<ModuleOp>(sourceMgr, &context);
  } else if (std::optional<ModelSpec> spec = loadModelSpec(path, sourceMgr)) {
    module = buildModule(*spec, context);
  }
  if (!module)
    return nullptr;
  PassManager pm(&context);
  buildGraphPipeline(pm);
  if (failed(pm.run(*module)))
    return nullptr;
  return module;
}

} // namespace kiln
