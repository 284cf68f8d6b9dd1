//===- ObjectEmitter.cpp - Host module to LLVM IR and object code ---------===//

#include "codegen/host/ObjectEmitter.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace kiln {

/// The target machine for host code: plain x86-64, since the host code only
/// fills structures and calls kernels (the kernels carry the vector code).
static std::unique_ptr<llvm::TargetMachine>
createHostTargetMachine(std::string &error) {
  LLVMInitializeX86TargetInfo();
  LLVMInitializeX86Target();
  LLVMInitializeX86TargetMC();
  LLVMInitializeX86AsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return nullptr;
  return std::unique_ptr<llvm::TargetMachine>(target->createTargetMachine(
      triple, "x86-64", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
}

std::unique_ptr<llvm::Module>
translateHostModule(ModuleOp hostModule, llvm::LLVMContext &context) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  hostModule.getContext()->appendDialectRegistry(registry);

  std::unique_ptr<llvm::Module> module =
      translateModuleToLLVMIR(hostModule, context, "kiln_host");
  if (!module) {
    hostModule.emitError() << "cannot translate the host code to LLVM IR";
    return nullptr;
  }
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = createHostTargetMachine(error);
  if (!machine) {
    hostModule.emitError() << "no LLVM target for host code: " << error;
    return nullptr;
  }
  module->setTargetTriple(machine->getTargetTriple().str());
  module->setDataLayout(machine->createDataLayout());
  return module;
}

LogicalResult emitObjectFile(llvm::Module &module, StringRef path,
                                   Location loc) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = createHostTargetMachine(error);
  if (!machine)
    return emitError(loc) << "no LLVM target for host code: " << error;
  std::error_code fileError;
  llvm::raw_fd_ostream file(path, fileError, llvm::sys::fs::OF_None);
  if (fileError)
    return emitError(loc) << "cannot write '" << path
                          << "': " << fileError.message();
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, file, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return emitError(loc) << "LLVM cannot emit object files for "
                          << machine->getTargetTriple().str();
  passes.run(module);
  return success();
}

} // namespace kiln
