//===- KernelCompilerTest.cpp - Kernel libraries of whole functions -------===//
//
// Ops with equal signatures share one kernel and different ones do not;
// ahead-of-time compilation writes one object per kernel defining the
// kernel's symbol, plus a runtime object defining every Halide symbol the
// kernels need; tuned schedules are used and checked; errors name the op.
//
//===----------------------------------------------------------------------===//

#include "KernelTestSupport.h"

#include "codegen/cpu/KernelCompiler.h"
#include "codegen/cpu/KernelGenerator.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"

#include <gtest/gtest.h>

using namespace kiln;
using namespace kiln::test;

namespace {

/// Two identical pre-norm projections, one projection of another input
/// width, and a reshape (a view, no kernel).
constexpr const char *kLayers = R"mlir(
  func.func @forward(%x: tensor<1x?x32xf32>, %g1: tensor<32xf32>,
                     %g2: tensor<32xf32>, %w1: tensor<64x32xf32>,
                     %w2: tensor<64x32xf32>, %y: tensor<?x48xf32>,
                     %w3: tensor<64x48xf32>)
      -> (tensor<1x?x8x8xf32>, tensor<1x?x64xf32>, tensor<?x64xf32>) {
    %a = kiln.rms_norm %x, %g1 epsilon 1.0e-06
        : (tensor<1x?x32xf32>, tensor<32xf32>) -> tensor<1x?x32xf32>
    %b = kiln.linear %a, %w1
        : (tensor<1x?x32xf32>, tensor<64x32xf32>) -> tensor<1x?x64xf32>
    %c = kiln.rms_norm %x, %g2 epsilon 1.0e-06
        : (tensor<1x?x32xf32>, tensor<32xf32>) -> tensor<1x?x32xf32>
    %d = kiln.linear %c, %w2
        : (tensor<1x?x32xf32>, tensor<64x32xf32>) -> tensor<1x?x64xf32>
    %e = kiln.linear %y, %w3
        : (tensor<?x48xf32>, tensor<64x48xf32>) -> tensor<?x64xf32>
    %r = kiln.reshape %b : tensor<1x?x64xf32> -> tensor<1x?x8x8xf32>
    return %r, %d, %e
        : tensor<1x?x8x8xf32>, tensor<1x?x64xf32>, tensor<?x64xf32>
  })mlir";

/// The ops of `func` in order.
std::vector<mlir::Operation *> opsOf(mlir::func::FuncOp func) {
  std::vector<mlir::Operation *> ops;
  for (mlir::Operation &op : func.getBody().front())
    ops.push_back(&op);
  return ops;
}

/// A fresh directory for object files, removed with its contents when the
/// test ends.
class TemporaryDirectory {
public:
  TemporaryDirectory() {
    EXPECT_FALSE(llvm::sys::fs::createUniqueDirectory("kiln-kernels", path));
  }
  ~TemporaryDirectory() { llvm::sys::fs::remove_directories(path); }

  std::string str() const { return path.str().str(); }

private:
  llvm::SmallString<128> path;
};

/// The defined and undefined global symbols of the object file at `path`.
struct Symbols {
  llvm::StringSet<> defined, undefined;
};

Symbols readSymbols(const std::string &path) {
  Symbols symbols;
  llvm::Expected<llvm::object::OwningBinary<llvm::object::ObjectFile>> file =
      llvm::object::ObjectFile::createObjectFile(path);
  if (!file) {
    ADD_FAILURE() << path << ": " << llvm::toString(file.takeError());
    return symbols;
  }
  for (const llvm::object::SymbolRef &symbol : file->getBinary()->symbols()) {
    llvm::Expected<uint32_t> flags = symbol.getFlags();
    llvm::Expected<llvm::StringRef> name = symbol.getName();
    if (!flags || !name) {
      llvm::consumeError(flags.takeError());
      llvm::consumeError(name.takeError());
      ADD_FAILURE() << path << ": unreadable symbol";
      continue;
    }
    if (!(*flags & llvm::object::SymbolRef::SF_Global))
      continue;
    if (*flags & llvm::object::SymbolRef::SF_Undefined)
      symbols.undefined.insert(*name);
    else
      symbols.defined.insert(*name);
  }
  return symbols;
}

TEST(KernelCompilerTest, EqualSignaturesShareOneKernel) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  mlir::OwningOpRef<mlir::ModuleOp> module = parseModule(*context, kLayers);
  ASSERT_TRUE(module);
  mlir::func::FuncOp func = getFunction(*module);
  mlir::FailureOr<KernelPlan> plan = planKernels(func);
  ASSERT_TRUE(mlir::succeeded(plan));
  std::vector<mlir::Operation *> ops = opsOf(func);
  ASSERT_EQ(plan->entries.size(), 3u);
  EXPECT_EQ(plan->entries[0].ops,
            (std::vector<mlir::Operation *>{ops[0], ops[2]}));
  EXPECT_EQ(plan->entries[1].ops,
            (std::vector<mlir::Operation *>{ops[1], ops[3]}));
  // Another input width (K) is another kernel.
  EXPECT_EQ(plan->entries[2].ops, (std::vector<mlir::Operation *>{ops[4]}));
  EXPECT_NE(plan->entries[1].signature.key(), plan->entries[2].signature.key());
}

TEST(KernelCompilerTest, CompilesOneObjectPerKernelAndTheRuntime) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  mlir::OwningOpRef<mlir::ModuleOp> module = parseModule(*context, kLayers);
  ASSERT_TRUE(module);
  mlir::func::FuncOp func = getFunction(*module);
  TemporaryDirectory directory;
  KernelCompilerOptions options;
  options.outputDirectory = directory.str();
  mlir::FailureOr<KernelLibrary> library = compileKernels(func, options);
  ASSERT_TRUE(mlir::succeeded(library));

  std::vector<std::string> names;
  for (const CompiledKernel &kernel : library->kernels)
    names.push_back(kernel.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"kiln_k0_rms_norm", "kiln_k1_linear",
                                      "kiln_k2_linear"}));
  std::vector<mlir::Operation *> ops = opsOf(func);
  EXPECT_EQ(library->lookup(ops[2]), &library->kernels[0]);
  EXPECT_EQ(library->lookup(ops[3]), &library->kernels[1]);
  EXPECT_EQ(library->lookup(ops[4]), &library->kernels[2]);
  EXPECT_EQ(library->lookup(ops[5]), nullptr) << "kiln.reshape is a view";

  // The linear kernel takes the input, the weight, then the result.
  const std::vector<KernelArgument> &arguments =
      library->kernels[1].interface.arguments;
  ASSERT_EQ(arguments.size(), 3u);
  EXPECT_EQ(arguments[0].kind, KernelArgument::Kind::Operand);
  EXPECT_EQ(arguments[0].index, 0u);
  EXPECT_EQ(arguments[0].rank, 3u);
  EXPECT_EQ(arguments[1].kind, KernelArgument::Kind::Operand);
  EXPECT_EQ(arguments[1].index, 1u);
  EXPECT_EQ(arguments[1].elementType, "f32");
  EXPECT_EQ(arguments[2].kind, KernelArgument::Kind::Result);
  EXPECT_EQ(arguments[2].index, 0u);

  Symbols runtime = readSymbols(library->runtimeObjectPath);
  EXPECT_TRUE(runtime.defined.contains("halide_error"));
  for (const CompiledKernel &kernel : library->kernels) {
    Symbols symbols = readSymbols(kernel.objectPath);
    EXPECT_TRUE(symbols.defined.contains(kernel.name)) << kernel.objectPath;
    // Every Halide function a kernel calls comes from the runtime object.
    for (const auto &entry : symbols.undefined)
      if (entry.getKey().starts_with("halide_"))
        EXPECT_TRUE(runtime.defined.contains(entry.getKey()))
            << kernel.name << " needs " << entry.getKey().str();
  }
}

TEST(KernelCompilerTest, TunedSchedulesAreUsed) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  mlir::OwningOpRef<mlir::ModuleOp> module = parseModule(*context, R"mlir(
    func.func @f(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
      %y = kiln.softmax %x axis 1 : tensor<?x16xf32>
      return %y : tensor<?x16xf32>
    })mlir");
  ASSERT_TRUE(module);
  mlir::func::FuncOp func = getFunction(*module);
  mlir::FailureOr<KernelPlan> plan = planKernels(func);
  ASSERT_TRUE(mlir::succeeded(plan));
  Schedule tuned;
  tuned.set("vector", 8);
  tuned.set("parallel", 0);
  tuned.set("rows_per_task", 64);
  // The generator's own schedule, then one left to Halide's Adams2019
  // autoscheduler, which a tuning record may hold as well.
  for (Autoscheduler autoscheduler :
       {Autoscheduler::None, Autoscheduler::Adams2019}) {
    tuned.set(kAutoschedulerParameter, static_cast<int64_t>(autoscheduler));
    SCOPED_TRACE(tuned.toString());
    TemporaryDirectory directory;
    KernelCompilerOptions options;
    options.targetCpu = "avx2";
    options.outputDirectory = directory.str();
    options.tunedSchedules[plan->entries[0].signature.key()] = tuned;
    mlir::FailureOr<KernelLibrary> library = compileKernels(func, options);
    ASSERT_TRUE(mlir::succeeded(library));
    EXPECT_EQ(library->kernels[0].schedule, tuned);
    EXPECT_TRUE(readSymbols(library->kernels[0].objectPath)
                    .defined.contains("kiln_k0_softmax"));
  }
}

/// Compiles `source` with `options` and returns the first error message.
std::string compileError(llvm::StringRef source,
                         const KernelCompilerOptions &options) {
  std::unique_ptr<mlir::MLIRContext> context = createContext();
  std::string error;
  mlir::ScopedDiagnosticHandler handler(context.get(),
                                        [&](mlir::Diagnostic &diagnostic) {
                                          if (error.empty())
                                            error = diagnostic.str();
                                          return mlir::success();
                                        });
  mlir::OwningOpRef<mlir::ModuleOp> module = parseModule(*context, source);
  if (!module)
    return "parse error";
  EXPECT_TRUE(mlir::failed(compileKernels(getFunction(*module), options)));
  return error;
}

constexpr const char *kScale = R"mlir(
    func.func @f(%x: tensor<?x16xf32>) -> tensor<?x16xf32> {
      %y = kiln.scale %x by 2.0 : tensor<?x16xf32>
      return %y : tensor<?x16xf32>
    })mlir";

TEST(KernelCompilerTest, InvalidTunedScheduleIsAnErrorOnTheOp) {
  TemporaryDirectory directory;
  KernelCompilerOptions options;
  options.outputDirectory = directory.str();
  Schedule tuned;
  tuned.set("vector", 3);
  options.tunedSchedules["kiln.scale{factor=2}(?x?xf32)->(?x?xf32)"] = tuned;
  EXPECT_EQ(compileError(kScale, options),
            "cannot generate kernel 'kiln_k0_scale': expected schedule "
            "parameter 'vector' to be one of [4, 8, 16, 32], got 3");
}

TEST(KernelCompilerTest, UnknownTargetIsAnError) {
  KernelCompilerOptions options;
  options.targetCpu = "neon";
  EXPECT_EQ(
      compileError(kScale, options),
      "unknown target CPU 'neon', expected host, amx, avx512, avx2 or sse41");
}

} // namespace
