//===- Target.h - The CPU that kernels are compiled for ---------*- C++ -*-===//
//
// Kernels are compiled ahead of time for one x86-64 instruction-set level,
// chosen from the features of the host CPU (AVX-512 with AMX tiles where
// the CPU has them, AVX-512 where it has the Skylake-server subset, AVX2
// with FMA and F16C otherwise, SSE4.1 as the floor) or forced with
// `--target-cpu=`. Kernel objects are compiled
// without the Halide runtime, which is emitted once per program.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_TARGET_H
#define KILN_CODEGEN_CPU_TARGET_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <Halide.h>

namespace kiln {

/// The x86-64 instruction-set levels that kernels are compiled for.
enum class CpuLevel {
  /// SSE4.1: 4 floats per vector.
  Sse41,
  /// AVX2 with FMA and F16C: 8 floats per vector.
  Avx2,
  /// AVX-512 F, BW, DQ and VL (Skylake server and later): 16 floats.
  Avx512,
  /// AVX-512 with AMX tiles and their bf16 products (Sapphire Rapids and
  /// later): linear layers may run on the tiles at f32 accuracy
  /// (runtime/src/AmxLinear.cpp).
  Amx,
};

/// The highest level that the host CPU supports.
CpuLevel detectHostCpuLevel();

/// The Halide target for `level` on the host OS, without the runtime. The
/// first call also turns off the SLP vectorizer of Halide's LLVM, which
/// slows the kernels' register-tiled loops down (see Target.cpp).
Halide::Target makeKernelTarget(CpuLevel level);

/// The kernel target named by a `--target-cpu=` value: `host` (detect),
/// `amx`, `avx512`, `avx2` or `sse41`. Fails with the accepted names
/// otherwise.
llvm::Expected<Halide::Target> parseKernelTarget(llvm::StringRef cpu);

/// The number of f32 lanes in one vector register of `target` (16 for
/// AVX-512, 8 for AVX2, 4 for SSE4.1): the default vector width of
/// schedules.
int getNativeFloatLanes(const Halide::Target &target);

/// Whether kernels for `target` may use AMX tiles (CpuLevel::Amx).
bool hasAmxTiles(const Halide::Target &target);

/// Compiles the Halide runtime for `target` to the object file at `path`;
/// one runtime serves every kernel compiled for `target`.
llvm::Error emitHalideRuntime(const Halide::Target &target,
                              llvm::StringRef path);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_TARGET_H
