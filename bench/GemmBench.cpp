//===- GemmBench.cpp - kiln.linear kernels against OpenBLAS ---------------===//
//
// Both sides read the same f32 operands: Kiln's kernel through the
// KernelRunner (x as [1, rows, inner], the weight [cols, inner] packed into
// panels, the bias), OpenBLAS as row-major x times the transposed weight.
// OpenBLAS numbers its worker threads 0 .. n-2 and the calling thread n-1;
// its workers are pinned to the CPUs that the runtime's pool pins its own
// workers to, and the calling thread is left to the scheduler in both.
//
//===----------------------------------------------------------------------===//

#include "bench/GemmBench.h"

#include "codegen/cpu/KernelRunner.h"
#include "runtime/src/ThreadPool.h"

#include <algorithm>
#include <cmath>
#include <sched.h>
#include <string>
#include <vector>

#include <cblas.h>

namespace kiln::bench {

double GemmShape::getFlops() const {
  return 2.0 * static_cast<double>(rows) * inner * cols;
}

namespace {

/// How far Kiln's output may be from OpenBLAS's plus the epilogue, relative
/// to the largest output magnitude (at least 1): both round sums of up to
/// 3072 f32 products in different orders.
constexpr double kTolerance = 1e-4;

/// The MLIR function of a linear layer of `shape` as compiled models call
/// it: batch 1, run-time sequence length, the weight a model weight.
std::string makeLinearFunction(const GemmShape &shape) {
  std::string x = "tensor<1x?x" + std::to_string(shape.inner) + "xf32>";
  std::string w = "tensor<" + std::to_string(shape.cols) + "x" +
                  std::to_string(shape.inner) + "xf32>";
  std::string b = "tensor<" + std::to_string(shape.cols) + "xf32>";
  std::string y = "tensor<1x?x" + std::to_string(shape.cols) + "xf32>";
  return "func.func @linear(%x: " + x + ", %w: " + w +
         " {kiln.weight = \"w\"}, %b: " + b + ") -> " + y +
         " {\n  %y = kiln.linear %x, %w bias %b activation gelu_tanh : (" + x +
         ", " + w + ", " + b + ") -> " + y + "\n  return %y : " + y + "\n}";
}

/// The elements of `tensor` as floats.
std::vector<float> toFloats(const ReferenceTensor &tensor) {
  return std::vector<float>(tensor.getElements().begin(),
                            tensor.getElements().end());
}

/// GELU with the tanh approximation, in f64.
double geluTanh(double x) {
  constexpr double kSqrt2OverPi = 0.7978845608028654;
  return 0.5 * x * (1.0 + std::tanh(kSqrt2OverPi * (x + 0.044715 * x * x * x)));
}

/// One OpenBLAS call of the shape: y = x . w^T.
void callSgemm(const GemmShape &shape, const std::vector<float> &x,
               const std::vector<float> &w, std::vector<float> &y) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, shape.rows, shape.cols,
              shape.inner, 1.0f, x.data(), shape.inner, w.data(), shape.inner,
              0.0f, y.data(), shape.cols);
}

/// Runs OpenBLAS on `threads` threads, pinning its workers like the
/// runtime's pool pins its own.
void configureOpenblas(int threads) {
  openblas_set_num_threads(threads);
  std::vector<int> cpus = runtime::getAvailableCpus();
  for (int worker = 0; worker + 1 < threads; ++worker) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpus[(worker + 1) % cpus.size()], &set);
    openblas_setaffinity(worker, sizeof(set), &set);
  }
}

} // namespace

llvm::Expected<GemmMeasurement> measureGemm(const GemmShape &shape, int threads,
                                            const TimingOptions &timing) {
  llvm::Expected<std::unique_ptr<KernelRunner>> runner =
      createDefaultRunner(makeLinearFunction(shape), threads);
  if (!runner)
    return runner.takeError();

  ReferenceTensor x = makeRandomTensor({1, shape.rows, shape.inner}, 1);
  ReferenceTensor w = makeRandomTensor({shape.cols, shape.inner}, 2);
  ReferenceTensor b = makeRandomTensor({shape.cols}, 3);
  if (llvm::Error error =
          (*runner)->bind({x, w, b}, {{1, shape.rows, shape.cols}}))
    return std::move(error);
  std::vector<float> xFloats = toFloats(x), wFloats = toFloats(w);
  std::vector<float> yFloats(shape.rows * shape.cols);
  configureOpenblas(threads);

  std::vector<double> kilnSeconds, openblasSeconds;
  if (llvm::Error error = timeInAlternation(
          **runner,
          [&](unsigned warmup, unsigned repetitions) {
            return timeCalls(
                [&] { callSgemm(shape, xFloats, wFloats, yFloats); }, warmup,
                repetitions);
          },
          timing, kilnSeconds, openblasSeconds))
    return std::move(error);

  // The last runs of both sides left their outputs behind.
  ReferenceTensor kiln = (*runner)->getResults().front();
  GemmMeasurement measurement{
      shape, threads, median(kilnSeconds), median(openblasSeconds), 0.0, 0.0};
  for (int64_t row = 0; row < shape.rows; ++row)
    for (int64_t col = 0; col < shape.cols; ++col) {
      int64_t index = row * shape.cols + col;
      double expected = geluTanh(yFloats[index] + b[col]);
      measurement.maxAbsDiff =
          std::max(measurement.maxAbsDiff, std::abs(kiln[index] - expected));
      measurement.maxAbsReference =
          std::max(measurement.maxAbsReference, std::abs(expected));
    }
  if (measurement.maxAbsDiff >
      kTolerance * std::max(1.0, measurement.maxAbsReference))
    return llvm::createStringError(
        "the kernel of " + makeLinearFunction(shape) +
        "\ndiffers from OpenBLAS by " +
        std::to_string(measurement.maxAbsDiff) + " (largest output " +
        std::to_string(measurement.maxAbsReference) + ")");
  return measurement;
}

} // namespace kiln::bench
