//===- KernelGenerator.cpp - Halide kernels for kiln op kinds -------------===//
//
// The registry of op-family generators, the checked entry points that
// validate schedules and turn Halide's exceptions into errors, and the
// `autoscheduler` parameter that every kernel's space gets: Halide's
// autoscheduler plugins are loaded on first use from Debian's Halide 14.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/KernelGenerator.h"
#include "codegen/cpu/generators/Generators.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <iostream>
#include <mutex>
#include <sstream>

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

//===----------------------------------------------------------------------===//
// Autoschedulers
//===----------------------------------------------------------------------===//

bool isAutoscheduled(const Schedule &schedule) {
  return schedule.contains(kAutoschedulerParameter) &&
         schedule.get(kAutoschedulerParameter) !=
             static_cast<int64_t>(Autoscheduler::None);
}

namespace {

/// What Halide needs to run one autoscheduler plugin.
struct AutoschedulerPlugin {
  /// The name the plugin registers itself under.
  const char *name;
  /// The plugin's file in Halide's autoscheduler directory.
  const char *fileName;
};

} // namespace

/// The plugin of `which`, which is not `Autoscheduler::None`.
static AutoschedulerPlugin getPlugin(Autoscheduler which) {
  switch (which) {
  case Autoscheduler::Adams2019:
    return {"Adams2019", "libautoschedule_adams2019.so"};
  case Autoscheduler::Mullapudi2016:
    return {"Mullapudi2016", "libautoschedule_mullapudi2016.so"};
  case Autoscheduler::Li2018:
    return {"Li2018", "libautoschedule_li2018.so"};
  case Autoscheduler::None:
    break;
  }
  llvm_unreachable("no plugin for the generator's own schedule");
}

/// Loads `plugin` unless it is loaded already: a plugin registers its
/// autoscheduler when loaded, and Halide refuses a second registration
/// under the same name.
static Error loadPlugin(const AutoschedulerPlugin &plugin) {
  static std::mutex mutex;
  static StringMap<bool> loaded;
  std::lock_guard<std::mutex> lock(mutex);
  if (loaded.lookup(plugin.name))
    return Error::success();
  SmallString<128> path(KILN_HALIDE_AUTOSCHEDULER_DIR);
  sys::path::append(path, plugin.fileName);
  // Halide aborts on a plugin it cannot open, so check first.
  if (!sys::fs::exists(path))
    return createStringError(inconvertibleErrorCode(),
                             Twine("cannot find Halide's ") + plugin.name +
                                 " autoscheduler at '" + path + "'");
  Halide::load_plugin(std::string(path));
  loaded[plugin.name] = true;
  return Error::success();
}

/// Schedules `kernel` with the autoscheduler that `schedule` names. The
/// machine description is Halide's generic one, not the host's, so that the
/// same schedule value always gives the same code.
static Error autoschedule(GeneratedKernel &kernel, const Schedule &schedule) {
  int64_t value = schedule.get(kAutoschedulerParameter);
  AutoschedulerPlugin plugin = getPlugin(static_cast<Autoscheduler>(value));
  if (Error error = loadPlugin(plugin))
    return error;
  // The plugins narrate their search on std::cerr; their errors are
  // exceptions, so the narration can go.
  std::ostringstream narration;
  std::streambuf *errorBuffer = std::cerr.rdbuf(narration.rdbuf());
  auto restore = llvm::make_scope_exit([&] { std::cerr.rdbuf(errorBuffer); });
  kernel.pipeline.auto_schedule(plugin.name, kernel.target,
                                Halide::MachineParams::generic());
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

Expected<ScheduleSpace> getKernelScheduleSpace(const KernelSignature &signature,
                                               const Halide::Target &target) {
  Expected<const KernelGenerator &> generator = requireGenerator(signature);
  if (!generator)
    return generator.takeError();
  ScheduleSpace space = generator->getScheduleSpace(signature, target);
  space.addParameter(
      kAutoschedulerParameter,
      "0: the generator's schedule; 1: Halide's Adams2019, 2: Mullapudi2016 "
      "or 3: Li2018 autoscheduler (other parameters are then unused)",
      {static_cast<int64_t>(Autoscheduler::None),
       static_cast<int64_t>(Autoscheduler::Adams2019),
       static_cast<int64_t>(Autoscheduler::Mullapudi2016),
       static_cast<int64_t>(Autoscheduler::Li2018)},
      static_cast<int64_t>(Autoscheduler::None));
  return space;
}

Expected<GeneratedKernel> generateKernel(const KernelSignature &signature,
                                         const Schedule &schedule,
                                         const Halide::Target &target) {
  Expected<const KernelGenerator &> generator = requireGenerator(signature);
  if (!generator)
    return generator.takeError();
  Expected<ScheduleSpace> space = getKernelScheduleSpace(signature, target);
  if (!space)
    return space.takeError();
  Schedule complete = schedule;
  if (!complete.contains(kAutoschedulerParameter))
    complete.set(kAutoschedulerParameter,
                 static_cast<int64_t>(Autoscheduler::None));
  if (Error error = space->verify(complete))
    return std::move(error);
  try {
    Expected<GeneratedKernel> kernel =
        generator->generate(signature, complete, target);
    if (kernel && isAutoscheduled(complete))
      if (Error error = autoschedule(*kernel, complete))
        return std::move(error);
    return kernel;
  } catch (const Halide::Error &error) {
    return createStringError(inconvertibleErrorCode(),
                             Twine("Halide rejected the kernel: ") +
                                 error.what());
  }
}

} // namespace kiln
