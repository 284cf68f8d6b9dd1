//===- ThreadPool.cpp - The threads that run a model's kernels ------------===//
//
// A loop is one Job on the dispatcher's stack. Its indices are split into
// one contiguous range per thread, and each thread claims the indices of
// its own range first, one at a time from the range's atomic counter, then
// helps with the other ranges the same way: many tiny tasks still balance
// themselves, while a thread mostly runs neighbouring tasks one after the
// other, so that what one task prefetches for the next (the next panel of
// a linear layer's weights) reaches the thread that reads it. The
// dispatcher withdraws the job once it runs out of indices and waits until
// no worker is still inside it; a worker that wakes after that finds no
// job and goes back to waiting.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/ThreadPool.h"

#include <chrono>
#include <pthread.h>
#include <sched.h>
#include <system_error>
#include <utility>

using namespace kiln::runtime;

/// How long a waiting thread polls before it sleeps.
constexpr std::chrono::microseconds spinDuration(100);

/// The pool that kiln_parallel_for on this thread dispatches to: that of
/// the model this thread is running, and null inside tasks.
static thread_local ThreadPool *currentPool = nullptr;

/// One thread's share of the indices of a parallel loop, in its own cache
/// line so that threads claiming from different ranges do not contend.
struct alignas(64) ThreadPool::Range {
  /// The next index to claim; 64-bit so that claims past the end cannot
  /// overflow.
  std::atomic<int64_t> next{0};
  int64_t end = 0;
};

/// One parallel loop.
struct ThreadPool::Job {
  kiln_task_fn task;
  void *userContext;
  uint8_t *closure;
  int32_t min;
  /// One range of indices (relative to `min`) per thread.
  Range *ranges;
  int32_t numRanges;
  /// The first non-zero task result, or 0.
  std::atomic<int32_t> result{0};

  /// Splits the `count` indices into equal contiguous ranges.
  void splitIndices(int32_t count) {
    for (int32_t i = 0; i < numRanges; ++i) {
      ranges[i].next.store(int64_t(count) * i / numRanges,
                           std::memory_order_relaxed);
      ranges[i].end = int64_t(count) * (i + 1) / numRanges;
    }
  }

  /// Runs the indices of range `thread`, then helps with the others, until
  /// none is left or a task failed.
  void run(int32_t thread) {
    for (int32_t offset = 0; offset < numRanges; ++offset)
      if (!runRange(ranges[(thread + offset) % numRanges]))
        return;
  }

private:
  /// Claims and runs the indices of `range` until it has none left
  /// (returns true) or a task failed (returns false).
  bool runRange(Range &range) {
    while (result.load(std::memory_order_relaxed) == 0) {
      int64_t index = range.next.fetch_add(1, std::memory_order_relaxed);
      if (index >= range.end)
        return true;
      int32_t status =
          task(userContext, min + static_cast<int32_t>(index), closure);
      if (status != 0) {
        int32_t success = 0;
        result.compare_exchange_strong(success, status);
      }
    }
    return false;
  }
};

/// Runs the loop on the calling thread, stopping at the first failure.
static int32_t runInline(kiln_task_fn task, void *userContext, int32_t min,
                         int32_t count, uint8_t *closure) {
  for (int32_t i = 0; i < count; ++i)
    if (int32_t status = task(userContext, min + i, closure))
      return status;
  return 0;
}

/// Lets a spinning thread yield the core's resources to its sibling.
static void relaxCpu() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

/// Polls `isDone` for up to spinDuration; returns whether it came true.
template <typename Condition> static bool spinUntil(Condition isDone) {
  auto end = std::chrono::steady_clock::now() + spinDuration;
  while (!isDone()) {
    if (std::chrono::steady_clock::now() >= end)
      return false;
    relaxCpu();
  }
  return true;
}

std::vector<int> kiln::runtime::getAvailableCpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu)
      if (CPU_ISSET(cpu, &set))
        cpus.push_back(cpu);
  }
  if (cpus.empty())
    cpus.push_back(0);
  return cpus;
}

Status ThreadPool::create(int32_t numThreads, bool pin,
                          std::unique_ptr<ThreadPool> &pool) {
  constexpr int32_t maxThreads = 1024;
  if (numThreads < 0 || numThreads > maxThreads)
    return makeError(KILN_STATUS_INVALID_ARGUMENT,
                     "the number of threads must lie in [0, " +
                         std::to_string(maxThreads) + "], got " +
                         std::to_string(numThreads));
  std::vector<int> cpus = getAvailableCpus();
  if (numThreads == 0)
    numThreads = static_cast<int32_t>(cpus.size());
  std::unique_ptr<ThreadPool> started(new ThreadPool());
  started->ranges = std::make_unique<Range[]>(numThreads);
  started->workers.reserve(numThreads - 1);
  for (int32_t worker = 1; worker < numThreads; ++worker) {
    int cpu = pin ? cpus[worker % cpus.size()] : -1;
    try {
      started->workers.emplace_back(&ThreadPool::runWorker, started.get(),
                                    worker, cpu);
    } catch (const std::system_error &error) {
      return makeError(KILN_STATUS_OUT_OF_MEMORY,
                       "cannot start thread " + std::to_string(worker) +
                           " of " + std::to_string(numThreads) + ": " +
                           error.what());
    }
  }
  pool = std::move(started);
  return ok();
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex);
    stopping = true;
    generation.fetch_add(1, std::memory_order_release);
  }
  wakeWorkers.notify_all();
  for (std::thread &worker : workers)
    worker.join();
}

void ThreadPool::runWorker(int32_t thread, int cpu) {
  if (cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    // A refusal (the CPU went offline, a cgroup forbids it) only costs speed.
    (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  uint64_t seen = 0;
  while (true) {
    spinUntil(
        [&] { return generation.load(std::memory_order_acquire) != seen; });
    std::unique_lock<std::mutex> lock(mutex);
    wakeWorkers.wait(lock, [&] {
      return generation.load(std::memory_order_relaxed) != seen;
    });
    seen = generation.load(std::memory_order_relaxed);
    if (stopping)
      return;
    Job *job = current;
    if (!job)
      continue;
    activeWorkers.fetch_add(1, std::memory_order_relaxed);
    lock.unlock();
    job->run(thread);
    if (activeWorkers.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Taking the mutex orders this notification after the dispatcher's
      // check of the count, should it be about to sleep.
      std::lock_guard<std::mutex> guard(mutex);
      workersIdle.notify_one();
    }
  }
}

int32_t ThreadPool::parallelFor(kiln_task_fn task, void *userContext,
                                int32_t min, int32_t count, uint8_t *closure) {
  std::unique_lock<std::mutex> dispatch(dispatchMutex, std::try_to_lock);
  if (!dispatch.owns_lock() || workers.empty() || count <= 1)
    return runInline(task, userContext, min, count, closure);

  Job job{task, userContext, closure, min, ranges.get(), getNumThreads()};
  job.splitIndices(count);
  {
    std::lock_guard<std::mutex> lock(mutex);
    current = &job;
    generation.fetch_add(1, std::memory_order_release);
  }
  wakeWorkers.notify_all();

  // Loops the caller's own tasks start run inline, as the workers' do.
  ThreadPool *outer = std::exchange(currentPool, nullptr);
  job.run(/*thread=*/0);
  currentPool = outer;

  {
    std::lock_guard<std::mutex> lock(mutex);
    current = nullptr;
  }
  auto isIdle = [&] {
    return activeWorkers.load(std::memory_order_acquire) == 0;
  };
  if (!spinUntil(isIdle)) {
    std::unique_lock<std::mutex> lock(mutex);
    workersIdle.wait(lock, isIdle);
  }
  return job.result.load(std::memory_order_relaxed);
}

ThreadPool::Scope::Scope(ThreadPool &pool)
    : previous(std::exchange(currentPool, &pool)) {}

ThreadPool::Scope::~Scope() { currentPool = previous; }

int32_t kiln_parallel_for(void *user_context, kiln_task_fn task, int32_t min,
                          int32_t count, uint8_t *closure) {
  if (count <= 0)
    return 0;
  if (!currentPool)
    return runInline(task, user_context, min, count, closure);
  return currentPool->parallelFor(task, user_context, min, count, closure);
}
