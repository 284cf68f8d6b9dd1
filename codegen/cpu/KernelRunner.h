//===- KernelRunner.h - Run one kernel on concrete tensors ------*- C++ -*-===//
//
// JIT-compiles the kernel of one signature with one schedule and runs it on
// concrete tensors, for kernel tests, benchmarks and tuners. Parallel loops
// run on Kiln's own thread pool (runtime/src/ThreadPool.h), as they do in
// compiled models, so that JIT timings match the kernels' behaviour there,
// and packed weight arguments are packed with the runtime's own packing.
//
// The interface is free of Halide types, so that its users need not include
// Halide.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_CODEGEN_CPU_KERNELRUNNER_H
#define KILN_CODEGEN_CPU_KERNELRUNNER_H

#include "codegen/Schedule.h"
#include "codegen/cpu/CallInterface.h"
#include "codegen/cpu/KernelSignature.h"
#include "reference/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <vector>

namespace kiln {

/// One kernel, JIT-compiled, with its operand and result buffers.
class KernelRunner {
public:
  /// JIT-compiles the kernel of `signature` with `schedule` for
  /// `targetCpu` ("host", "amx", "avx512", "avx2", "sse41", see
  /// codegen/cpu/Target.h), running parallel loops on a pool of
  /// `numThreads` threads (0: one per available CPU), whose workers are
  /// pinned unless `pin` is false. Fails with the message of an unknown
  /// target, a schedule outside the kernel's space, or Halide's error.
  static llvm::Expected<std::unique_ptr<KernelRunner>>
  create(const KernelSignature &signature, const Schedule &schedule,
         llvm::StringRef targetCpu, int numThreads, bool pin = true);

  /// The default schedule of the kernel of `signature` on `targetCpu`.
  static llvm::Expected<Schedule>
  getDefaultSchedule(const KernelSignature &signature,
                     llvm::StringRef targetCpu);

  ~KernelRunner();
  KernelRunner(const KernelRunner &) = delete;
  KernelRunner &operator=(const KernelRunner &) = delete;

  /// Binds the operands (row-major fp64 reference tensors, one per op
  /// operand in operand order; converted to each operand's element type;
  /// an argument with `panelWidth != 0` in the call interface is packed
  /// with kiln::runtime::packWeight) and allocates the results with
  /// `resultShapes` (outermost first), one per result of the signature.
  llvm::Error bind(llvm::ArrayRef<ReferenceTensor> operands,
                   llvm::ArrayRef<llvm::SmallVector<int64_t>> resultShapes);

  /// Runs the kernel once on the bound buffers; the error carries the
  /// kernel's message.
  llvm::Error run();

  /// The results of the last run as fp64 tensors, in result order.
  std::vector<ReferenceTensor> getResults() const;

  /// Runs `warmup` untimed then `repetitions` timed runs; the seconds of
  /// each timed run, in order.
  llvm::Expected<std::vector<double>> time(unsigned warmup,
                                           unsigned repetitions);

  /// The call interface of the kernel.
  const CallInterface &getInterface() const;

  /// The number of threads of the pool, the calling thread included.
  int getNumThreads() const;

private:
  struct Impl;

  explicit KernelRunner(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl;
};

/// The median of `samples` (non-empty): the middle sample, or the mean of
/// the two middle ones for an even count.
double median(std::vector<double> samples);

} // namespace kiln

#endif // KILN_CODEGEN_CPU_KERNELRUNNER_H
