//===- Target.cpp - The CPU that kernels are compiled for -----------------===//
//
// Host feature detection through LLVM's view of the CPU (which also checks
// that the OS saves the wide registers), the mapping of instruction-set
// levels to Halide targets, and emission of the standalone runtime.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/Target.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/TargetParser/Host.h"

#include <cstdlib>
#include <mutex>
#include <string>

using namespace llvm;

namespace kiln {

namespace {

/// Turns off the SLP vectorizer of Halide's LLVM before Halide first
/// initialises it (Halide reads `HL_LLVM_ARGS` once, when it builds its
/// first code generator).
///
/// Kernels vectorize where their schedules say. What the SLP vectorizer
/// adds is harmful: in a register-tiled micro-kernel it packs the scalar
/// address arithmetic of the tile's rows into vector registers, which
/// puts `vpaddq`/`vpextrq` on the ports that the FMAs need. That cost the
/// packed GEMM kernel 16% of its throughput (134 against 159 GFLOP/s on
/// one AVX-512 core, `kiln-bench-kernels --suite=gemm`). Arguments that
/// the user passes in `HL_LLVM_ARGS` are kept, and an SLP threshold of
/// theirs wins.
void disableSlpVectorizerOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    const char *existing = std::getenv("HL_LLVM_ARGS");
    std::string args = existing ? existing : "";
    if (StringRef(args).contains("-slp-threshold"))
      return;
    if (!args.empty())
      args += ' ';
    // The SLP vectorizer only vectorizes a tree that saves more than this
    // many cost units: none does.
    args += "-slp-threshold=1000000";
    ::setenv("HL_LLVM_ARGS", args.c_str(), /*overwrite=*/1);
  });
}

} // namespace

CpuLevel detectHostCpuLevel() {
  StringMap<bool> features = sys::getHostCPUFeatures();
  auto hasAll = [&](std::initializer_list<StringRef> names) {
    return llvm::all_of(names,
                        [&](StringRef name) { return features.lookup(name); });
  };
  if (hasAll({"avx512f", "avx512bw", "avx512dq", "avx512vl"}))
    return hasAll({"amx-tile", "amx-bf16"}) ? CpuLevel::Amx : CpuLevel::Avx512;
  if (hasAll({"avx2", "fma", "f16c"}))
    return CpuLevel::Avx2;
  return CpuLevel::Sse41;
}

Halide::Target makeKernelTarget(CpuLevel level) {
  disableSlpVectorizerOnce();
  Halide::Target host = Halide::get_host_target();
  Halide::Target target(host.os, Halide::Target::X86, 64);
  target.set_features({Halide::Target::SSE41, Halide::Target::NoRuntime});
  if (level == CpuLevel::Sse41)
    return target;
  target.set_features({Halide::Target::AVX, Halide::Target::AVX2,
                       Halide::Target::FMA, Halide::Target::F16C});
  if (level == CpuLevel::Avx2)
    return target;
  target.set_features({Halide::Target::AVX512, Halide::Target::AVX512_Skylake});
  if (level == CpuLevel::Avx512)
    return target;
  // Halide then tunes its code for Sapphire Rapids; only the runtime's AMX
  // kernel (runtime/src/AmxLinear.cpp) uses the tiles.
  return target.with_feature(Halide::Target::AVX512_SapphireRapids);
}

Expected<Halide::Target> parseKernelTarget(StringRef cpu) {
  if (cpu == "host")
    return makeKernelTarget(detectHostCpuLevel());
  std::optional<CpuLevel> level = StringSwitch<std::optional<CpuLevel>>(cpu)
                                      .Case("amx", CpuLevel::Amx)
                                      .Case("avx512", CpuLevel::Avx512)
                                      .Case("avx2", CpuLevel::Avx2)
                                      .Case("sse41", CpuLevel::Sse41)
                                      .Default(std::nullopt);
  if (!level)
    return createStringError(
        inconvertibleErrorCode(),
        "unknown target CPU '" + cpu +
            "', expected host, amx, avx512, avx2 or sse41");
  return makeKernelTarget(*level);
}

bool hasAmxTiles(const Halide::Target &target) {
  return target.has_feature(Halide::Target::AVX512_SapphireRapids);
}

int getNativeFloatLanes(const Halide::Target &target) {
  return target.natural_vector_size(Halide::Float(32));
}

Error emitHalideRuntime(const Halide::Target &target, StringRef path) {
  try {
    Halide::compile_standalone_runtime(
        path.str(), target.without_feature(Halide::Target::NoRuntime));
  } catch (const Halide::Error &error) {
    return createStringError(inconvertibleErrorCode(),
                             "cannot emit the Halide runtime to '" + path +
                                 "': " + error.what());
  }
  return Error::success();
}

} // namespace kiln
