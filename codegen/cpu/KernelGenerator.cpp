//===- KernelGenerator.cpp - Halide kernels for kiln op kinds -------------===//
//
// The registry of op-family generators and the checked entry points that
// validate schedules and turn Halide's exceptions into errors.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/generators/Generators.h"

#include "llvm/ADT/StringMap.h"

using namespace llvm;

namespace kiln {

std::vector<Halide::Argument> GeneratedKernel::getArguments() const {
  return std::vector<Halide::Argument>(inputs.begin(), inputs.end());
}

KernelGenerator::~KernelGenerator() = default;

std::vector<const KernelGenerator *> getAllKernelGenerators() {
  return {&getAttentionGenerator(), &getElementwiseGenerator(),
          &getEmbeddingGenerator(), &getLayoutGenerator(),
          &getLinearGenerator(),    &getMaskGenerator(),
          &getNormGenerator(),      &getPoolingGenerator(),
          &getRopeGenerator(),      &getSoftmaxGenerator()};
}

const KernelGenerator *lookupKernelGenerator(StringRef opName) {
  static const StringMap<const KernelGenerator *> registry = [] {
    StringMap<const KernelGenerator *> generators;
    for (const KernelGenerator *generator : getAllKernelGenerators())
      for (StringRef name : generator->getOpNames())
        generators[name] = generator;
    return generators;
  }();
  return registry.lookup(opName);
}

/// The generator of `signature`, or an error naming the op.
static Expected<const KernelGenerator &>
requireGenerator(const KernelSignature &signature) {
  if (const KernelGenerator *generator =
          lookupKernelGenerator(signature.getOpName()))
    return *generator;
  return createStringError(inconvertibleErrorCode(),
                           "no kernel generator for '" + signature.getOpName() +
                               "'");
}

Expected<ScheduleSpace> getKernelScheduleSpace(const KernelSignature &signature,
                                               const Halide::Target &target) {
  Expected<const KernelGenerator &> generator = requireGenerator(signature);
  if (!generator)
    return generator.takeError();
  return generator->getScheduleSpace(signature, target);
}

Expected<GeneratedKernel> generateKernel(const KernelSignature &signature,
                                         const Schedule &schedule,
                                         const Halide::Target &target) {
  Expected<const KernelGenerator &> generator = requireGenerator(signature);
  if (!generator)
    return generator.takeError();
  if (Error error =
          generator->getScheduleSpace(signature, target).verify(schedule))
    return std::move(error);
  try {
    return generator->generate(signature, schedule, target);
  } catch (const Halide::Error &error) {
    return createStringError(inconvertibleErrorCode(),
                             Twine("Halide rejected the kernel: ") +
                                 error.what());
  }
}

} // namespace kiln
