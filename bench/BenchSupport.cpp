//===- BenchSupport.cpp - Shared pieces of the kernel benchmarks ----------===//
//
// Parses a benchmark's MLIR function in a context of its own (a signature
// is plain data and outlives it) and collects the diagnostics that parsing
// or signatureOf report.
//
//===----------------------------------------------------------------------===//

#include "bench/BenchSupport.h"

#include "dialect/KilnDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <chrono>
#include <pthread.h>
#include <random>
#include <sched.h>

using namespace mlir;

namespace kiln::bench {

llvm::Expected<KernelSignature> parseKernelSignature(llvm::StringRef source) {
  MLIRContext context;
  context.loadDialect<KilnDialect, func::FuncDialect, arith::ArithDialect>();
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    diagnostics += diagnostic.str() + "\n";
    return success();
  });
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &context);
  if (!module)
    return llvm::createStringError("cannot parse the benchmark function:\n" +
                                   diagnostics);
  Operation *kilnOp = nullptr;
  module->walk([&](Operation *op) {
    if (!kilnOp && isa<KilnDialect>(op->getDialect()))
      kilnOp = op;
  });
  if (!kilnOp)
    return llvm::createStringError("the benchmark function has no kiln op");
  FailureOr<KernelSignature> signature = signatureOf(kilnOp);
  if (failed(signature))
    return llvm::createStringError("no kernel signature for " +
                                   kilnOp->getName().getStringRef().str() +
                                   ":\n" + diagnostics);
  return std::move(*signature);
}

llvm::Expected<std::unique_ptr<KernelRunner>>
createDefaultRunner(llvm::StringRef source, int threads) {
  llvm::Expected<KernelSignature> signature = parseKernelSignature(source);
  if (!signature)
    return signature.takeError();
  llvm::Expected<Schedule> schedule =
      KernelRunner::getDefaultSchedule(*signature, "host");
  if (!schedule)
    return schedule.takeError();
  return KernelRunner::create(*signature, *schedule, "host", threads);
}

ReferenceTensor makeRandomTensor(llvm::ArrayRef<int64_t> shape, uint64_t seed) {
  ReferenceTensor tensor(shape);
  std::mt19937_64 generator(seed);
  std::uniform_real_distribution<float> distribution(-1.0f, 1.0f);
  for (double &element : tensor.getElements())
    element = distribution(generator);
  return tensor;
}

std::vector<double> timeCalls(llvm::function_ref<void()> call, unsigned warmup,
                              unsigned repetitions) {
  for (unsigned i = 0; i < warmup; ++i)
    call();
  std::vector<double> seconds;
  for (unsigned i = 0; i < repetitions; ++i) {
    auto start = std::chrono::steady_clock::now();
    call();
    seconds.push_back(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  }
  return seconds;
}

llvm::Error timeInAlternation(KernelRunner &runner, ReferenceTimer reference,
                              const TimingOptions &timing,
                              std::vector<double> &kilnSeconds,
                              std::vector<double> &referenceSeconds) {
  for (unsigned round = 0; round < timing.rounds; ++round) {
    llvm::Expected<std::vector<double>> seconds =
        runner.time(timing.warmup, timing.repetitions);
    if (!seconds)
      return seconds.takeError();
    llvm::append_range(kilnSeconds, *seconds);
    llvm::append_range(referenceSeconds,
                       reference(timing.warmup, timing.repetitions));
  }
  return llvm::Error::success();
}

bool pinCurrentThread(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  return pthread_setaffinity_np(pthread_self(), sizeof(set), &set) == 0;
}

} // namespace kiln::bench
