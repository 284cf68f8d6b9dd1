//===- NativeBuild.cpp - Objects, linking and timed build phases ----------===//

#include "NativeBuild.h"

#include "codegen/cpu/KernelCompiler.h"
#include "codegen/host/HostCodegen.h"
#include "codegen/host/ObjectEmitter.h"
#include "codegen/host/SymbolicShapes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <chrono>

using namespace mlir;

namespace kiln {

namespace {

/// Announces a build phase and its duration on stderr.
class Phase {
public:
  explicit Phase(StringRef name)
      : name(name.str()), start(std::chrono::steady_clock::now()) {}

  /// Reports success (with `detail`) or failure of the phase.
  LogicalResult finish(LogicalResult result, StringRef detail = "") {
    double seconds = std::chrono::duration<double>(
                         std::chrono::steady_clock::now() - start)
                         .count();
    if (failed(result)) {
      llvm::errs() << "kiln-compile: error: phase '" << name << "' failed\n";
      return failure();
    }
    llvm::errs() << "kiln-compile: " << llvm::format("%-8s", name.c_str())
                 << llvm::format("%7.2f s", seconds);
    if (!detail.empty())
      llvm::errs() << "  " << detail;
    llvm::errs() << "\n";
    return success();
  }

private:
  std::string name;
  std::chrono::steady_clock::time_point start;
};

/// Runs `program` with `args` (args[0] is the program name); emits an error
/// at `loc` quoting the command when it fails.
LogicalResult run(StringRef program, ArrayRef<std::string> args,
                  Location loc) {
  SmallVector<StringRef> argv(args.begin(), args.end());
  std::string errorMessage;
  int status = llvm::sys::ExecuteAndWait(program, argv, std::nullopt, {}, 0,
                                         0, &errorMessage);
  if (status == 0)
    return success();
  std::string command;
  for (const std::string &arg : args)
    command += arg + " ";
  return emitError(loc) << "'" << command << "' failed"
                        << (errorMessage.empty() ? "" : ": ") << errorMessage;
}

/// The forward function of `module`.
FailureOr<func::FuncOp> findForward(ModuleOp module) {
  if (auto forward = module.lookupSymbol<func::FuncOp>("forward"))
    return forward;
  auto funcs = module.getOps<func::FuncOp>();
  if (std::distance(funcs.begin(), funcs.end()) == 1)
    return *funcs.begin();
  return module.emitError()
         << "expected a 'forward' function or exactly one function";
}

} // namespace

LogicalResult buildNative(ModuleOp module, const NativeBuildOptions &options,
                          llvm::raw_ostream &os) {
  FailureOr<func::FuncOp> forward = findForward(module);
  if (failed(forward))
    return failure();
  Location loc = module.getLoc();

  // Intermediates go to a temporary directory unless the user keeps them.
  SmallString<128> directory(options.intermediatesDirectory);
  bool temporary = directory.empty();
  if (temporary) {
    if (std::error_code error =
            llvm::sys::fs::createUniqueDirectory("kiln-build", directory))
      return emitError(loc) << "cannot create a build directory: "
                            << error.message();
  } else if (std::error_code error =
                 llvm::sys::fs::create_directories(directory)) {
    return emitError(loc) << "cannot create '" << directory
                          << "': " << error.message();
  }
  auto cleanup = llvm::make_scope_exit([&] {
    if (temporary)
      llvm::sys::fs::remove_directories(directory);
  });
  auto pathIn = [&](StringRef name) {
    SmallString<128> path(directory);
    llvm::sys::path::append(path, name);
    return std::string(path);
  };

  Phase kernelsPhase("kernels");
  KernelCompilerOptions kernelOptions;
  kernelOptions.targetCpu = options.targetCpu;
  kernelOptions.outputDirectory = std::string(directory);
  FailureOr<KernelLibrary> kernels = compileKernels(*forward, kernelOptions);
  if (failed(kernelsPhase.finish(
          LogicalResult(kernels),
          succeeded(kernels)
              ? std::to_string(kernels->kernels.size()) + " kernels"
              : "")))
    return failure();

  Phase hostPhase("host");
  FailureOr<SymbolicShapes> shapes = computeSymbolicShapes(*forward);
  OwningOpRef<ModuleOp> hostModule;
  if (succeeded(shapes))
    hostModule = buildHostModule(*forward, *kernels, *shapes);
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule;
  if (hostModule)
    llvmModule = translateHostModule(*hostModule, llvmContext);
  if (failed(hostPhase.finish(success(llvmModule != nullptr))))
    return failure();
  if (options.stage == NativeStage::LlvmIR) {
    llvmModule->print(os, nullptr);
    return success();
  }

  Phase objectPhase("object");
  std::string hostObject = pathIn("host.o");
  std::string modelObject = options.stage == NativeStage::Object
                                ? options.outputPath
                                : pathIn("model.o");
  std::vector<std::string> ldArgs = {KILN_LLVM_TOOLS_DIR "/ld.lld", "-r", "-o",
                                     modelObject, hostObject};
  for (const CompiledKernel &kernel : kernels->kernels)
    ldArgs.push_back(kernel.objectPath);
  ldArgs.push_back(kernels->runtimeObjectPath);
  if (failed(objectPhase.finish(
          success(succeeded(emitObjectFile(*llvmModule, hostObject, loc)) &&
                  succeeded(run(ldArgs.front(), ldArgs, loc))))))
    return failure();
  if (options.stage == NativeStage::Object)
    return success();

  Phase linkPhase("link");
  std::vector<std::string> linkArgs = {
      KILN_LLVM_TOOLS_DIR "/clang++", "-fuse-ld=lld", "-o", options.outputPath,
      modelObject, KILN_RUNTIME_LIBRARY_DIR "/libKilnMain.a",
      KILN_RUNTIME_LIBRARY_DIR "/libKilnRuntime.a", "-lpthread", "-ldl", "-lm"};
  return linkPhase.finish(run(linkArgs.front(), linkArgs, loc),
                          options.outputPath);
}

} // namespace kiln
