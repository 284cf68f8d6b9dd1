//===- KernelCompiler.cpp - Compile the kernels of a function -------------===//
//
// Planning (grouping ops by signature key), schedule selection (tuned or
// default), generation and ahead-of-time compilation of each kernel, and
// emission of the Halide runtime.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/KernelCompiler.h"
#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/Target.h"

#include "dialect/KilnOps.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Path.h"

using namespace mlir;
using namespace kiln;

namespace kiln {

FailureOr<KernelPlan> planKernels(func::FuncOp func) {
  KernelPlan plan;
  llvm::StringMap<unsigned> entryOfKey;
  WalkResult walk = func.walk([&](Operation *op) {
    if (!isa<KilnDialect>(op->getDialect()) || isa<ReshapeOp>(op))
      return WalkResult::advance();
    FailureOr<KernelSignature> signature = signatureOf(op);
    if (failed(signature))
      return WalkResult::interrupt();
    auto [it, isNew] =
        entryOfKey.try_emplace(signature->key(), plan.entries.size());
    if (isNew)
      plan.entries.push_back({std::move(*signature), {}});
    plan.entries[it->second].ops.push_back(op);
    return WalkResult::advance();
  });
  if (walk.wasInterrupted())
    return failure();
  return plan;
}

std::string getKernelName(unsigned index, const KernelSignature &signature) {
  return "kiln_k" + std::to_string(index) + "_" + signature.getOpKind().str();
}

const CompiledKernel *KernelLibrary::lookup(Operation *op) const {
  auto it = kernelOfOp.find(op);
  return it == kernelOfOp.end() ? nullptr : &kernels[it->second];
}

/// The schedule for `signature`: the tuned one if `options` has one for
/// its key, else the generator's default on `target`.
static FailureOr<Schedule>
chooseSchedule(Operation *op, const KernelSignature &signature,
               const Halide::Target &target,
               const KernelCompilerOptions &options) {
  auto tuned = options.tunedSchedules.find(signature.key());
  if (tuned != options.tunedSchedules.end())
    return tuned->second;
  llvm::Expected<ScheduleSpace> space =
      getKernelScheduleSpace(signature, target);
  if (!space)
    return op->emitError() << llvm::toString(space.takeError());
  return space->getDefaultSchedule();
}

/// Generates the kernel of `entry` and compiles it to `kernel.objectPath`;
/// errors go to the entry's first op.
static LogicalResult compileKernel(const KernelPlan::Entry &entry,
                                   const Halide::Target &target,
                                   const KernelCompilerOptions &options,
                                   CompiledKernel &kernel) {
  Operation *op = entry.ops.front();
  FailureOr<Schedule> schedule =
      chooseSchedule(op, entry.signature, target, options);
  if (failed(schedule))
    return failure();
  llvm::Expected<GeneratedKernel> generated =
      generateKernel(entry.signature, *schedule, target);
  if (!generated)
    return op->emitError() << "cannot generate kernel '" << kernel.name
                           << "': " << llvm::toString(generated.takeError());
  try {
    generated->pipeline.compile_to_object(kernel.objectPath,
                                          generated->getArguments(),
                                          kernel.name, generated->target);
  } catch (const Halide::Error &error) {
    return op->emitError() << "cannot compile kernel '" << kernel.name
                           << "': " << error.what();
  }
  kernel.schedule = *schedule;
  kernel.interface = std::move(generated->interface);
  return success();
}

FailureOr<KernelLibrary> compileKernels(func::FuncOp func,
                                        const KernelCompilerOptions &options) {
  llvm::Expected<Halide::Target> target = parseKernelTarget(options.targetCpu);
  if (!target)
    return func.emitError() << llvm::toString(target.takeError());
  FailureOr<KernelPlan> plan = planKernels(func);
  if (failed(plan))
    return failure();

  KernelLibrary library;
  auto objectPath = [&](StringRef stem) {
    llvm::SmallString<128> path(options.outputDirectory);
    llvm::sys::path::append(path, stem + ".o");
    return path.str().str();
  };
  for (const KernelPlan::Entry &entry : plan->entries) {
    unsigned index = library.kernels.size();
    CompiledKernel kernel;
    kernel.name = getKernelName(index, entry.signature);
    kernel.signatureKey = entry.signature.key();
    kernel.objectPath = objectPath(kernel.name);
    if (failed(compileKernel(entry, *target, options, kernel)))
      return failure();
    library.kernels.push_back(std::move(kernel));
    for (Operation *op : entry.ops)
      library.kernelOfOp[op] = index;
  }

  library.runtimeObjectPath = objectPath("kiln_halide_runtime");
  if (llvm::Error error = emitHalideRuntime(*target, library.runtimeObjectPath))
    return func.emitError() << llvm::toString(std::move(error));
  return library;
}

} // namespace kiln
