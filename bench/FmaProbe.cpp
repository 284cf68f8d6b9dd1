//===- FmaProbe.cpp - The machine's measured f32 FMA peak -----------------===//
//
// Each accumulator is updated by a chain of dependent FMAs; the chains are
// independent of each other, so with more chains than the FMA latency times
// the number of FMA ports the core issues FMAs at its full rate. The
// accumulator arrays stay in registers (24 of AVX-512's 32, 12 of AVX2's
// 16). The loops are compiled for their instruction set with target
// attributes and chosen at run time from the CPU's features.
//
//===----------------------------------------------------------------------===//

#include "bench/FmaProbe.h"

#include "bench/BenchSupport.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <immintrin.h>
#include <thread>

namespace kiln::bench {

namespace {

/// Independent accumulators per instruction set.
constexpr int kAvx512Accumulators = 24;
constexpr int kAvx2Accumulators = 12;

/// Runs `iterations` rounds of one FMA per AVX-512 accumulator, starting
/// from `start`, which the compiler cannot know (or it could compute the
/// chains' values at compile time); returns the sum of the accumulators so
/// that none of the work is dead.
__attribute__((target("avx512f"))) float runAvx512Fmas(int64_t iterations,
                                                       float start) {
  __m512 accumulators[kAvx512Accumulators];
  for (__m512 &accumulator : accumulators)
    accumulator = _mm512_set1_ps(start);
  // Factors near 1 keep every chain finite however long it runs.
  const __m512 factor = _mm512_set1_ps(0.999999f);
  const __m512 addend = _mm512_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i)
    for (__m512 &accumulator : accumulators)
      accumulator = _mm512_fmadd_ps(accumulator, factor, addend);
  __m512 sum = accumulators[0];
  for (int j = 1; j < kAvx512Accumulators; ++j)
    sum = _mm512_add_ps(sum, accumulators[j]);
  return _mm512_reduce_add_ps(sum);
}

/// The AVX2 version of runAvx512Fmas.
__attribute__((target("avx2,fma"))) float runAvx2Fmas(int64_t iterations,
                                                      float start) {
  __m256 accumulators[kAvx2Accumulators];
  for (__m256 &accumulator : accumulators)
    accumulator = _mm256_set1_ps(start);
  const __m256 factor = _mm256_set1_ps(0.999999f);
  const __m256 addend = _mm256_set1_ps(1e-6f);
  for (int64_t i = 0; i < iterations; ++i)
    for (__m256 &accumulator : accumulators)
      accumulator = _mm256_fmadd_ps(accumulator, factor, addend);
  __m256 sum = accumulators[0];
  for (int j = 1; j < kAvx2Accumulators; ++j)
    sum = _mm256_add_ps(sum, accumulators[j]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, sum);
  float total = 0;
  for (float lane : lanes)
    total += lane;
  return total;
}

/// The probe loop for this CPU and the FLOPs of one of its iterations.
struct ProbeLoop {
  float (*run)(int64_t, float);
  double flopsPerIteration;

  /// Runs `iterations` iterations.
  void operator()(int64_t iterations) const;
};

ProbeLoop getProbeLoop() {
  if (getFmaProbeIsa() == "avx512")
    return {runAvx512Fmas, 2.0 * 16 * kAvx512Accumulators};
  return {runAvx2Fmas, 2.0 * 8 * kAvx2Accumulators};
}

/// The accumulators' start, read from memory the compiler cannot see
/// through, and the sink of the probe's results.
volatile float probeStart = 0.5f;
volatile float probeSink;

void ProbeLoop::operator()(int64_t iterations) const {
  probeSink = run(iterations, probeStart);
}

/// The iterations that take about `seconds` on one core.
int64_t calibrateIterations(const ProbeLoop &loop, double seconds) {
  int64_t iterations = 1 << 16;
  while (true) {
    auto start = std::chrono::steady_clock::now();
    loop(iterations);
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    if (elapsed >= seconds / 8)
      return static_cast<int64_t>(iterations * seconds / elapsed);
    iterations *= 4;
  }
}

} // namespace

std::string getFmaProbeIsa() {
  if (__builtin_cpu_supports("avx512f"))
    return "avx512";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return "avx2";
  return "";
}

double measureFmaPeak(int cpu, double seconds, unsigned repetitions) {
  return measureFmaPeak(std::vector<int>{cpu}, seconds, repetitions);
}

double measureFmaPeak(const std::vector<int> &cpus, double seconds,
                      unsigned repetitions) {
  ProbeLoop loop = getProbeLoop();
  int64_t iterations = 0;
  // Calibrate on the first CPU, pinned like the measured threads.
  std::thread([&] {
    pinCurrentThread(cpus.front());
    iterations = calibrateIterations(loop, seconds);
  }).join();
  std::vector<double> gflops;
  for (unsigned repetition = 0; repetition < repetitions; ++repetition) {
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (int cpu : cpus)
      threads.emplace_back([&, cpu] {
        pinCurrentThread(cpu);
        loop(iterations);
      });
    for (std::thread &thread : threads)
      thread.join();
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    gflops.push_back(loop.flopsPerIteration * iterations * cpus.size() /
                     elapsed * 1e-9);
  }
  return *std::max_element(gflops.begin(), gflops.end());
}

} // namespace kiln::bench
