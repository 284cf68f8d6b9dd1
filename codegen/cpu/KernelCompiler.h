//===- KernelCompiler.h - Compile the kernels of a function -----*- C++ -*-===//
//
// Turns the ops of a function into a library of native kernels: ops are
// grouped by kernel signature, one kernel is generated per distinct
// signature (shared by every layer with that signature, never one per
// layer) and compiled ahead of time to an object file, without the Halide
// runtime, which is emitted once beside them. The result tells the host
// code which kernel each op calls and with which arguments.
//
// The interface is free of Halide types, so that host-code lowering and
// drivers need not include Halide.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_KERNELCOMPILER_H
#define KILN_CODEGEN_CPU_KERNELCOMPILER_H

#include "codegen/Schedule.h"
#include "codegen/cpu/CallInterface.h"
#include "codegen/cpu/KernelSignature.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/DenseMap.h"

#include <map>
#include <string>
#include <vector>

namespace kiln {

/// The ops of a function grouped by kernel signature, in order of first use.
struct KernelPlan {
  /// One distinct signature and the ops that use its kernel.
  struct Entry {
    KernelSignature signature;
    std::vector<mlir::Operation *> ops;
  };
  std::vector<Entry> entries;
};

/// Groups the kiln ops of `func` by kernel signature. Ops that need no
/// kernel (`kiln.reshape`, constants, the return) are skipped. Emits an
/// error on the op and fails when an op has no signature.
mlir::FailureOr<KernelPlan> planKernels(mlir::func::FuncOp func);

/// The C symbol of kernel `index` of a plan, `kiln_k<index>_<op kind>`.
std::string getKernelName(unsigned index, const KernelSignature &signature);

/// One compiled kernel.
struct CompiledKernel {
  /// The C symbol, `kiln_k<N>_<op kind>`.
  std::string name;
  /// The signature key (see KernelSignature::key()).
  std::string signatureKey;
  /// The schedule it was compiled with.
  Schedule schedule;
  /// How to call it.
  CallInterface interface;
  /// The object file that defines `name`.
  std::string objectPath;
};

/// The kernels of a function and which op calls which.
struct KernelLibrary {
  /// The kernels, numbered as in their names.
  std::vector<CompiledKernel> kernels;
  /// The index in `kernels` of the kernel each op calls.
  llvm::DenseMap<mlir::Operation *, unsigned> kernelOfOp;
  /// The object file of the Halide runtime that every kernel needs.
  std::string runtimeObjectPath;

  /// The kernel that `op` calls, or null when it calls none.
  const CompiledKernel *lookup(mlir::Operation *op) const;
};

/// Options of `compileKernels`.
struct KernelCompilerOptions {
  /// The `--target-cpu=` value: `host`, `avx512`, `avx2` or `sse41`.
  std::string targetCpu = "host";
  /// The existing directory that receives the object files.
  std::string outputDirectory;
  /// Tuned schedules by signature key; other kernels use their generator's
  /// default schedule for the target.
  std::map<std::string, Schedule> tunedSchedules;
};

/// Generates and compiles one kernel per distinct signature of the ops of
/// `func`, plus the Halide runtime. Reports errors (an unsupported op, a
/// tuned schedule outside its space, Halide's messages) on the first op
/// that uses the failing kernel, or on `func` for target and runtime
/// errors.
mlir::FailureOr<KernelLibrary>
compileKernels(mlir::func::FuncOp func, const KernelCompilerOptions &options);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_KERNELCOMPILER_H
