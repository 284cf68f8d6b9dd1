//===- IRDumpInstrumentation.cpp - One IR file per pass -------------------===//

#include "IRDumpInstrumentation.h"

#include "mlir/Pass/Pass.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace kiln;

IRDumpInstrumentation::IRDumpInstrumentation(std::string directory,
                                             OpPrintingFlags flags)
    : directory(std::move(directory)), flags(flags) {}

LogicalResult IRDumpInstrumentation::dumpInput(ModuleOp module) {
  if (std::error_code error = llvm::sys::fs::create_directories(directory))
    return module.emitError() << "cannot create IR dump directory '"
                              << directory << "': " << error.message();
  return write(module, 0, "input");
}

void IRDumpInstrumentation::runAfterPass(Pass *pass, Operation *op) {
  // Pass-manager adaptors that only run nested pipelines have no argument.
  if (pass->getArgument().empty())
    return;
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    module = op->getParentOfType<ModuleOp>();
  std::lock_guard<std::mutex> lock(mutex);
  auto [it, inserted] = passIndex.try_emplace(pass, passIndex.size() + 1);
  (void)write(module, it->second, pass->getArgument());
}

LogicalResult IRDumpInstrumentation::write(ModuleOp module, unsigned index,
                                           StringRef name) {
  std::string fileName;
  llvm::raw_string_ostream(fileName)
      << llvm::format("%02u-", index) << name << ".mlir";
  SmallString<128> path(directory);
  llvm::sys::path::append(path, fileName);
  std::error_code error;
  llvm::raw_fd_ostream file(path, error);
  if (error)
    return module.emitError() << "cannot write IR dump '" << path
                              << "': " << error.message();
  module->print(file, flags);
  return success();
}
