//===- kiln-bench-kernels.cpp - Kernel benchmarks of issue #6 -------------===//
//
// Measures, in one run, the machine's f32 FMA peak, Kiln's linear-layer
// kernels against OpenBLAS sgemm, Kiln's attention kernels and its
// memory-bound kernels against a parallel copy, for each requested thread
// count, and writes the medians as JSON (the benchmark
// driver, bench/run_benchmarks.py, adds PyTorch and whole models and
// writes the tables). Progress goes to stderr.
//
//===----------------------------------------------------------------------===//

#include "bench/AttentionBench.h"
#include "bench/FmaProbe.h"
#include "bench/GemmBench.h"
#include "bench/MemoryBench.h"
#include "runtime/src/ThreadPool.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

using namespace kiln;
using namespace kiln::bench;
namespace cl = llvm::cl;
namespace json = llvm::json;

/// The options of this tool; --help lists only these, not LLVM's.
static cl::OptionCategory benchCategory("Benchmark options");

static cl::list<int>
    threadCounts("num-threads",
                 cl::desc("Thread counts to measure (default 1,2)"),
                 cl::CommaSeparated, cl::cat(benchCategory));
static cl::list<std::string>
    suites("suite",
           cl::desc("Suites to run: fma, gemm, attention, memory (default "
                    "all)"),
           cl::CommaSeparated, cl::cat(benchCategory));
static cl::opt<bool>
    quick("quick",
          cl::desc("Few repetitions and short probes, to check that the "
                   "harness works rather than to measure"),
          cl::cat(benchCategory));
static cl::opt<std::string> outputPath("o", cl::desc("Write the JSON here"),
                                       cl::value_desc("path"), cl::init("-"),
                                       cl::cat(benchCategory));

/// The linear layers of GPT-2 small and BERT-base: QKV at seq 128, the MLP
/// up and down projections at seq 512, and the MLP up projection at seq 1
/// (decoding).
static const GemmShape kGemmShapes[] = {
    {128, 768, 2304}, {512, 768, 3072}, {512, 3072, 768}, {1, 768, 3072}};

/// The sequence lengths of the attention benchmarks (12 heads of 64).
static const int64_t kAttentionSeqs[] = {128, 512, 2048};

/// Whether suite `name` was requested.
static bool isSelected(llvm::StringRef name) {
  return suites.empty() || llvm::is_contained(suites, name);
}

/// Reports `error` as `kiln-bench-kernels: error:` and returns 1.
static int fail(llvm::Error error) {
  llvm::WithColor::error(llvm::errs(), "kiln-bench-kernels")
      << llvm::toString(std::move(error)) << "\n";
  return 1;
}

/// The FMA peak of each CPU alone and of the first n CPUs together for each
/// thread count n.
static json::Object runFmaSuite(llvm::ArrayRef<int> threads, bool isQuick) {
  double seconds = isQuick ? 0.02 : 0.1;
  unsigned repetitions = isQuick ? 2 : 10;
  std::vector<int> cpus = runtime::getAvailableCpus();
  json::Array perCpu;
  for (int cpu : cpus) {
    double gflops = measureFmaPeak(cpu, seconds, repetitions);
    llvm::errs() << llvm::format("fma peak on cpu %d: %.1f GFLOP/s\n", cpu,
                                 gflops);
    perCpu.push_back(json::Object{{"cpu", cpu}, {"gflops", gflops}});
  }
  json::Object byThreads;
  for (int count : threads) {
    std::vector<int> used;
    for (int i = 0; i < count; ++i)
      used.push_back(cpus[i % cpus.size()]);
    double gflops = measureFmaPeak(used, seconds, repetitions);
    llvm::errs() << llvm::format("fma peak on %d pinned threads: %.1f "
                                 "GFLOP/s\n",
                                 count, gflops);
    byThreads[std::to_string(count)] = gflops;
  }
  return json::Object{{"isa", getFmaProbeIsa()},
                      {"per_cpu", std::move(perCpu)},
                      {"by_threads", std::move(byThreads)}};
}

/// Every GEMM shape on every thread count.
static llvm::Expected<json::Array> runGemmSuite(llvm::ArrayRef<int> threads,
                                                const TimingOptions &timing) {
  json::Array results;
  for (const GemmShape &shape : kGemmShapes)
    for (int count : threads) {
      llvm::Expected<GemmMeasurement> measurement =
          measureGemm(shape, count, timing);
      if (!measurement)
        return measurement.takeError();
      double kilnGflops = shape.getFlops() / measurement->kilnSeconds * 1e-9;
      double blasGflops =
          shape.getFlops() / measurement->openblasSeconds * 1e-9;
      llvm::errs() << llvm::format(
          "gemm [%dx%d]x[%dx%d] on %d threads: kiln %.1f GFLOP/s, openblas "
          "%.1f GFLOP/s, ratio %.2f, max abs diff %.2e\n",
          static_cast<int>(shape.rows), static_cast<int>(shape.inner),
          static_cast<int>(shape.inner), static_cast<int>(shape.cols), count,
          kilnGflops, blasGflops, kilnGflops / blasGflops,
          measurement->maxAbsDiff);
      results.push_back(
          json::Object{{"m", shape.rows},
                       {"k", shape.inner},
                       {"n", shape.cols},
                       {"threads", count},
                       {"kiln_seconds", measurement->kilnSeconds},
                       {"openblas_seconds", measurement->openblasSeconds},
                       {"kiln_gflops", kilnGflops},
                       {"openblas_gflops", blasGflops},
                       {"ratio", kilnGflops / blasGflops},
                       {"max_abs_diff", measurement->maxAbsDiff},
                       {"max_abs_reference", measurement->maxAbsReference}});
    }
  return results;
}

/// Every attention problem on every thread count.
static llvm::Expected<json::Array>
runAttentionSuite(llvm::ArrayRef<int> threads, const TimingOptions &timing) {
  json::Array results;
  for (int64_t seq : kAttentionSeqs)
    for (int count : threads) {
      // Both masks in alternation: their time ratio is a target.
      AttentionShape shapes[] = {{12, 64, seq, /*causal=*/false},
                                 {12, 64, seq, /*causal=*/true}};
      llvm::Expected<std::vector<AttentionMeasurement>> measurements =
          measureAttention(shapes, count, timing);
      if (!measurements)
        return measurements.takeError();
      for (const AttentionMeasurement &measurement : *measurements) {
        const AttentionShape &shape = measurement.shape;
        double gflops = shape.getFlops() / measurement.kilnSeconds * 1e-9;
        llvm::errs() << llvm::format(
            "attention seq %d%s on %d threads: %.3f ms (%.1f GFLOP/s)\n",
            static_cast<int>(seq), shape.causal ? " causal" : "", count,
            measurement.kilnSeconds * 1e3, gflops);
        results.push_back(json::Object{{"heads", shape.heads},
                                       {"head_dim", shape.headDim},
                                       {"seq", seq},
                                       {"causal", shape.causal},
                                       {"threads", count},
                                       {"kiln_seconds", measurement.kilnSeconds},
                                       {"kiln_gflops", gflops}});
      }
    }
  return results;
}

/// Every memory-bound kernel on every thread count.
static llvm::Expected<json::Array> runMemorySuite(llvm::ArrayRef<int> threads,
                                                  const TimingOptions &timing) {
  json::Array results;
  for (int count : threads) {
    llvm::Expected<std::vector<MemoryMeasurement>> measurements =
        measureMemoryBoundKernels(count, timing);
    if (!measurements)
      return measurements.takeError();
    for (const MemoryMeasurement &measurement : *measurements) {
      double kilnGbps = measurement.bytes / measurement.kilnSeconds * 1e-9;
      double copyGbps = measurement.bytes / measurement.copySeconds * 1e-9;
      llvm::errs() << llvm::format(
          "%s on %d threads: %.1f GB/s, copy %.1f GB/s, ratio %.2f\n",
          measurement.name.c_str(), count, kilnGbps, copyGbps,
          kilnGbps / copyGbps);
      results.push_back(json::Object{{"kernel", measurement.name},
                                     {"threads", count},
                                     {"bytes", measurement.bytes},
                                     {"kiln_seconds", measurement.kilnSeconds},
                                     {"copy_seconds", measurement.copySeconds},
                                     {"kiln_gbps", kilnGbps},
                                     {"copy_gbps", copyGbps},
                                     {"ratio", kilnGbps / copyGbps}});
    }
  }
  return results;
}

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  cl::HideUnrelatedOptions(benchCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "Kiln kernel benchmarks (FMA peak, GEMM vs "
                              "OpenBLAS, attention, memory-bound kernels)\n");
  std::vector<int> threads(threadCounts.begin(), threadCounts.end());
  if (threads.empty())
    threads = {1, 2};
  for (int count : threads)
    if (count < 1)
      return fail(llvm::createStringError(
          "thread counts must be at least 1, got " + std::to_string(count)));
  for (const std::string &suite : suites)
    if (suite != "fma" && suite != "gemm" && suite != "attention" &&
        suite != "memory")
      return fail(llvm::createStringError(
          "unknown suite '" + suite +
          "', expected fma, gemm, attention or memory"));
  // Attention at seq 2048 takes a tenth of a second or more per call:
  // fewer calls keep `make bench` within minutes.
  TimingOptions gemmTiming{3, 10, 3}, attentionTiming{2, 5, 2};
  if (quick)
    gemmTiming = attentionTiming = TimingOptions{1, 2, 1};

  json::Object report{
      {"threads", json::Array(threads)},
      {"cpus", static_cast<int64_t>(runtime::getAvailableCpus().size())},
      {"quick", quick.getValue()}};
  if (isSelected("fma"))
    report["fma_peak"] = runFmaSuite(threads, quick);
  if (isSelected("gemm")) {
    llvm::Expected<json::Array> gemm = runGemmSuite(threads, gemmTiming);
    if (!gemm)
      return fail(gemm.takeError());
    report["gemm"] = std::move(*gemm);
  }
  if (isSelected("attention")) {
    llvm::Expected<json::Array> attention =
        runAttentionSuite(threads, attentionTiming);
    if (!attention)
      return fail(attention.takeError());
    report["attention"] = std::move(*attention);
  }
  if (isSelected("memory")) {
    llvm::Expected<json::Array> memory = runMemorySuite(threads, gemmTiming);
    if (!memory)
      return fail(memory.takeError());
    report["memory"] = std::move(*memory);
  }

  std::error_code error;
  llvm::raw_fd_ostream output(outputPath, error, llvm::sys::fs::OF_Text);
  if (error)
    return fail(llvm::createStringError("cannot write '" + outputPath +
                                        "': " + error.message()));
  output << llvm::formatv("{0:2}", json::Value(std::move(report))) << "\n";
  return 0;
}
