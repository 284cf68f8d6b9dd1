//===- ObjectEmitter.h - Host module to LLVM IR and object code -*- C++ -*-===//
//
// The last steps of host code: the LLVM dialect module becomes LLVM IR
// (`--emit=llvm`) and LLVM 19 compiles it for x86-64 into an object file
// (`--emit=obj`).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_HOST_OBJECTEMITTER_H
#define KILN_CODEGEN_HOST_OBJECTEMITTER_H

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

#include <memory>

namespace kiln {

/// Translates `hostModule` (LLVM dialect) to LLVM IR for the host's target
/// triple and data layout; emits an error and returns null on failure.
std::unique_ptr<llvm::Module> translateHostModule(mlir::ModuleOp hostModule,
                                                  llvm::LLVMContext &context);

/// Compiles `module` to an object file at `path`; emits errors at `loc`.
mlir::LogicalResult emitObjectFile(llvm::Module &module, llvm::StringRef path,
                                   mlir::Location loc);

} // namespace kiln

#endif // KILN_CODEGEN_HOST_OBJECTEMITTER_H
