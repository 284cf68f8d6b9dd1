//===- TuningMachine.cpp - The machine a schedule was measured on ---------===//
//
// Reads the CPU's model name once per process; the kernel target comes from
// the kernel library's own target selection.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/TuningMachine.h"

#include "codegen/cpu/Target.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/TargetParser/Host.h"

using namespace llvm;

namespace kiln {

/// The `model name` of the first processor in /proc/cpuinfo, or nothing
/// where the file is missing or has none.
static std::optional<std::string> readCpuModelName() {
  ErrorOr<std::unique_ptr<MemoryBuffer>> cpuinfo =
      MemoryBuffer::getFileAsStream("/proc/cpuinfo");
  if (!cpuinfo)
    return std::nullopt;
  SmallVector<StringRef> lines;
  (*cpuinfo)->getBuffer().split(lines, '\n');
  for (StringRef line : lines) {
    auto [key, value] = line.split(':');
    if (key.trim() == "model name" && !value.trim().empty())
      return value.trim().str();
  }
  return std::nullopt;
}

/// The host CPU's model name and micro-architecture, read once.
static const std::string &getHostCpuDescription() {
  static const std::string description = [] {
    std::string microArchitecture = sys::getHostCPUName().str();
    std::optional<std::string> modelName = readCpuModelName();
    if (!modelName)
      return microArchitecture;
    return *modelName + " (" + microArchitecture + ")";
  }();
  return description;
}

Expected<TuningMachine> getTuningMachine(StringRef targetCpu) {
  Expected<Halide::Target> target = parseKernelTarget(targetCpu);
  if (!target)
    return target.takeError();
  return TuningMachine{getHostCpuDescription(), target->to_string()};
}

} // namespace kiln
