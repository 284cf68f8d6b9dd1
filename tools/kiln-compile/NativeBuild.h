//===- NativeBuild.h - Objects, linking and timed build phases --*- C++ -*-===//
//
// The back end of kiln-compile: compiles a memory-planned forward function
// into kernels and host code, combines their objects into one relocatable
// model object (`--emit=obj`), and links that with Kiln's runtime into an
// executable (`--emit=exe`) or a shared library with a C header
// (`--emit=lib`). Each phase is announced on stderr with its time, and a failing
// phase stops the build with an error naming it.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_TOOLS_KILNCOMPILE_NATIVEBUILD_H
#define KILN_TOOLS_KILNCOMPILE_NATIVEBUILD_H

#include "codegen/tuning/ScheduleSelection.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace kiln {

/// How far the native build goes.
enum class NativeStage {
  /// The host code as LLVM IR, printed.
  LlvmIR,
  /// One relocatable object with the kernels, the Halide runtime and the
  /// host code (defines `kiln_compiled_model`).
  Object,
  /// An executable: the model object linked with the runtime and its
  /// command-line driver.
  Executable,
  /// A shared library exporting Kiln's C API (kiln/runtime.h) and the
  /// model's descriptor, with a C header beside it.
  SharedLibrary,
};

/// Options of the native build.
struct NativeBuildOptions {
  NativeStage stage = NativeStage::Executable;
  /// Where the result goes (ignored for LlvmIR, which prints to `os`).
  std::string outputPath;
  /// `host`, `avx512`, `avx2` or `sse41`.
  std::string targetCpu = "host";
  /// Keep the intermediate objects in this directory instead of a
  /// temporary one.
  std::string intermediatesDirectory;
  /// Where tuned schedules come from (its `targetCpu` is ignored in favour
  /// of the one above).
  ScheduleSelectionOptions tuning;
  /// Print which schedule each kernel uses and why (`--explain-schedules`).
  bool explainSchedules = false;
};

/// Builds `module`, whose `forward` function carries the memory plan.
mlir::LogicalResult buildNative(mlir::ModuleOp module,
                                const NativeBuildOptions &options,
                                llvm::raw_ostream &os);

} // namespace kiln

#endif // KILN_TOOLS_KILNCOMPILE_NATIVEBUILD_H
