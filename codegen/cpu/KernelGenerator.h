//===- KernelGenerator.h - Halide kernels for kiln op kinds -----*- C++ -*-===//
//
// One generator per op family builds a Halide pipeline for a kernel
// signature. The algorithm is written once per op kind; every execution
// choice comes from a `Schedule` whose space the generator declares, so a
// tuner can change how a kernel runs without touching what it computes.
//
// Generators write buffers innermost dimension first (see CallInterface.h),
// read every run-time extent from the buffers and bake only the dimensions
// that the signature marks static.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_KERNELGENERATOR_H
#define KILN_CODEGEN_CPU_KERNELGENERATOR_H

#include "codegen/Schedule.h"
#include "codegen/cpu/CallInterface.h"
#include "codegen/cpu/KernelSignature.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

#include <Halide.h>
#include <vector>

namespace kiln {

/// A kernel built for one signature and schedule, ready to be compiled
/// ahead of time or JIT-compiled.
struct GeneratedKernel {
  /// The pipeline; its outputs are the result buffers in result order.
  Halide::Pipeline pipeline;
  /// The buffer parameters of the operands, in call order.
  std::vector<Halide::ImageParam> inputs;
  /// The arguments of the compiled function, in call order.
  CallInterface interface;
  /// The target to compile for: the requested one, plus `StrictFloat` for
  /// kernels that must propagate the infinities of masked scores.
  Halide::Target target;

  /// The Halide arguments of the compiled function (the inputs; Halide
  /// appends the output buffers).
  std::vector<Halide::Argument> getArguments() const;
};

/// Builds the kernels of one op family.
class KernelGenerator {
public:
  virtual ~KernelGenerator();

  /// The op names (`kiln.linear`) whose kernels this generator builds.
  virtual llvm::ArrayRef<llvm::StringRef> getOpNames() const = 0;

  /// The schedules accepted for `signature` on `target`; the defaults
  /// depend on the target's vector width.
  virtual ScheduleSpace
  getScheduleSpace(const KernelSignature &signature,
                   const Halide::Target &target) const = 0;

  /// Builds the kernel for `signature` with `schedule`, which satisfies
  /// the space. Fails for signatures the generator does not support; may
  /// throw `Halide::Error`.
  virtual llvm::Expected<GeneratedKernel>
  generate(const KernelSignature &signature, const Schedule &schedule,
           const Halide::Target &target) const = 0;
};

/// The generator of op `opName`, or null when no generator handles it.
const KernelGenerator *lookupKernelGenerator(llvm::StringRef opName);

/// The parameter that every kernel's space has besides its generator's: 0
/// keeps the generator's own schedule, any other value (an `Autoscheduler`)
/// hands the pipeline to one of Halide's autoschedulers, so that what they
/// find is a schedule like any other, which a tuning database can hold and
/// a compile can reproduce.
inline constexpr llvm::StringLiteral kAutoschedulerParameter = "autoscheduler";

/// The values of `kAutoschedulerParameter`: the autoschedulers that Debian's
/// Halide 14 ships as plugins.
enum class Autoscheduler : int64_t {
  None = 0,
  Adams2019 = 1,
  Mullapudi2016 = 2,
  Li2018 = 3,
};

/// Whether `schedule` leaves the kernel to a Halide autoscheduler: the
/// generator then defines the algorithm only and skips its own schedule.
bool isAutoscheduled(const Schedule &schedule);

/// The schedule space of the kernel for `signature` on `target`: the
/// generator's parameters plus `kAutoschedulerParameter`.
llvm::Expected<ScheduleSpace>
getKernelScheduleSpace(const KernelSignature &signature,
                       const Halide::Target &target);

/// Checks `schedule` against the space of `signature` and builds the
/// kernel, running the autoscheduler it names, if any; a schedule without
/// `kAutoschedulerParameter` (written before it existed) keeps the
/// generator's schedule. Halide errors are returned as errors carrying
/// Halide's message.
llvm::Expected<GeneratedKernel> generateKernel(const KernelSignature &signature,
                                               const Schedule &schedule,
                                               const Halide::Target &target);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_KERNELGENERATOR_H
