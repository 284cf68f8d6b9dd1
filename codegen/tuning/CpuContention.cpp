//===- CpuContention.cpp - Other processes on the measuring CPUs ----------===//
//
// Linux only, like Kiln's kernels: /proc/stat gives each CPU's busy time in
// clock ticks (user, nice, system, irq, softirq and steal, the last being
// time a hypervisor gave to other machines), sched_getaffinity the CPUs
// this process may use, and getrusage the CPU time of all its threads.
//
//===----------------------------------------------------------------------===//

#include "codegen/tuning/CpuContention.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace llvm;

namespace kiln {

/// The busy seconds of the CPUs in this process's affinity mask.
static std::optional<double> readCpuBusySeconds() {
  cpu_set_t allowed;
  if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
    return std::nullopt;
  ErrorOr<std::unique_ptr<MemoryBuffer>> stat =
      MemoryBuffer::getFileAsStream("/proc/stat");
  if (!stat)
    return std::nullopt;
  long ticksPerSecond = sysconf(_SC_CLK_TCK);
  if (ticksPerSecond <= 0)
    return std::nullopt;
  SmallVector<StringRef> lines;
  (*stat)->getBuffer().split(lines, '\n');
  uint64_t busyTicks = 0;
  for (StringRef line : lines) {
    SmallVector<StringRef> fields;
    line.split(fields, ' ', -1, /*KeepEmpty=*/false);
    unsigned cpu;
    // Per-CPU lines are `cpuN user nice system idle iowait irq softirq
    // steal ...`; the aggregate line `cpu` has no number.
    if (fields.size() < 9 || !fields[0].consume_front("cpu") ||
        fields[0].getAsInteger(10, cpu) || cpu >= CPU_SETSIZE ||
        !CPU_ISSET(cpu, &allowed))
      continue;
    for (unsigned field : {1, 2, 3, 6, 7, 8}) {
      uint64_t ticks;
      if (fields[field].getAsInteger(10, ticks))
        return std::nullopt;
      busyTicks += ticks;
    }
  }
  return static_cast<double>(busyTicks) / ticksPerSecond;
}

/// The CPU seconds of every thread of this process.
static double readProcessSeconds() {
  rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval &time) {
    return time.tv_sec + time.tv_usec * 1e-6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::optional<CpuContentionMeter::Sample> CpuContentionMeter::takeSample() {
  std::optional<double> busy = readCpuBusySeconds();
  if (!busy)
    return std::nullopt;
  return Sample{*busy, readProcessSeconds(), std::chrono::steady_clock::now()};
}

CpuContentionMeter::CpuContentionMeter() : start(takeSample()) {}

std::optional<double> CpuContentionMeter::getBusyCpus() const {
  std::optional<Sample> end = takeSample();
  if (!start || !end)
    return std::nullopt;
  double wall = std::chrono::duration<double>(end->time - start->time).count();
  if (wall <= 0)
    return 0.0;
  double others = (end->cpuBusySeconds - start->cpuBusySeconds) -
                  (end->processSeconds - start->processSeconds);
  return std::max(others, 0.0) / wall;
}

} // namespace kiln
