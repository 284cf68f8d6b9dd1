//===- ToolchainCoexistenceTest.cpp - Halide 14 beside LLVM/MLIR 19 -------===//
//
// Kiln generates kernels with Halide 14 (built on LLVM 14) and host code with
// MLIR and LLVM 19, in one process. That works only because Debian's shared
// LLVMs are symbol-versioned and LLVM 19 is linked as the shared library;
// these tests catch a build change that breaks it (a static LLVM archive
// overriding Halide's symbols crashes before main, or miscompiles).
//
//===----------------------------------------------------------------------===//

#include "dialect/KilnDialect.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <Halide.h>
#include <fstream>
#include <gtest/gtest.h>

namespace {

/// Emits `module` as an x86-64 object file with LLVM 19.
std::string emitObjectWithLLVM19(llvm::Module &module) {
  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string triple = llvm::sys::getDefaultTargetTriple();
  std::string error;
  const llvm::Target *target = llvm::TargetRegistry::lookupTarget(triple, error);
  EXPECT_NE(target, nullptr) << error;
  if (!target)
    return "";
  std::unique_ptr<llvm::TargetMachine> machine(target->createTargetMachine(
      triple, "x86-64", "", llvm::TargetOptions(), llvm::Reloc::PIC_));
  module.setDataLayout(machine->createDataLayout());
  module.setTargetTriple(triple);
  llvm::SmallString<0> object;
  llvm::raw_svector_ostream stream(object);
  llvm::legacy::PassManager passes;
  EXPECT_FALSE(machine->addPassesToEmitFile(passes, stream, nullptr,
                                            llvm::CodeGenFileType::ObjectFile));
  passes.run(module);
  return std::string(object.str());
}

TEST(ToolchainCoexistenceTest, HalideJitRunsBesideMlir) {
  // MLIR 19 first, so that both LLVMs are initialised in one process.
  mlir::MLIRContext context;
  context.loadDialect<kiln::KilnDialect>();

  Halide::Func doubled("doubled");
  Halide::Var x("x");
  doubled(x) = x * 2 + 1;
  Halide::Buffer<int32_t> result = doubled.realize({16});
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(result(i), 2 * i + 1);
}

TEST(ToolchainCoexistenceTest, HalideAotAndLlvm19EmitObjectsInOneProcess) {
  // A Halide kernel, compiled ahead of time for the host by LLVM 14.
  Halide::ImageParam input(Halide::Float(32), 1, "input");
  Halide::Func scaled("scaled");
  Halide::Var x("x");
  scaled(x) = input(x) * 0.5f;
  scaled.vectorize(x, 8);
  std::string path = ::testing::TempDir() + "kiln_coexistence_kernel";
  scaled.compile_to_object(path + ".o", {input}, "kiln_scaled",
                           Halide::get_host_target().with_feature(
                               Halide::Target::NoRuntime));
  std::ifstream halideObject(path + ".o", std::ios::binary);
  char magic[4] = {};
  halideObject.read(magic, 4);
  EXPECT_EQ(std::string(magic, 4), "\x7f" "ELF");

  // Host code from the MLIR LLVM dialect, compiled by LLVM 19.
  mlir::DialectRegistry registry;
  mlir::registerBuiltinDialectTranslation(registry);
  mlir::registerLLVMDialectTranslation(registry);
  mlir::MLIRContext context(registry);
  context.loadDialect<mlir::LLVM::LLVMDialect>();
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(R"mlir(
        llvm.func @kiln_add(%a: i32, %b: i32) -> i32 {
          %sum = llvm.add %a, %b : i32
          llvm.return %sum : i32
        }
      )mlir",
                                              &context);
  ASSERT_TRUE(module);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      mlir::translateModuleToLLVMIR(*module, llvmContext);
  ASSERT_TRUE(llvmModule);
  std::string object = emitObjectWithLLVM19(*llvmModule);
  ASSERT_GE(object.size(), 4u);
  EXPECT_EQ(object.substr(0, 4), "\x7f" "ELF");
  EXPECT_NE(object.find("kiln_add"), std::string::npos);
}

} // namespace
