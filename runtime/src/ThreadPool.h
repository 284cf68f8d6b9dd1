//===- ThreadPool.h - The threads that run a model's kernels ----*- C++ -*-===//
//
// A model owns a pool of N threads: N - 1 workers plus the thread that runs
// the model, which takes part in every parallel loop instead of waiting.
// Kernels reach the pool through kiln_parallel_for (kiln/model_abi.h),
// which dispatches to the pool of the model running on the calling thread.
//
// Workers can be pinned, worker i to the i-th CPU the process may use: on
// virtual machines unpinned threads are often packed onto one vCPU. The
// calling thread is left to the scheduler, which moves it to the CPU the
// workers leave free. Workers waiting for a loop, and the caller waiting for
// the workers to finish one, spin briefly before they sleep: a forward pass
// runs hundreds of short loops in quick succession, and waking a sleeping
// thread costs more than many of them take.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_THREADPOOL_H
#define KILN_RUNTIME_SRC_THREADPOOL_H

#include "kiln/model_abi.h"
#include "runtime/src/Status.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace kiln::runtime {

/// The CPUs the process may run on, in increasing order.
std::vector<int> getAvailableCpus();

/// A fixed set of threads running parallel loops.
class ThreadPool {
public:
  /// Starts a pool of `numThreads` threads in all, the caller of
  /// parallelFor included; 0 means one per available CPU. With `pin`, worker
  /// i (1 <= i < numThreads) only runs on the i-th available CPU, wrapping
  /// around when there are more threads than CPUs; pinning is a hint, and a
  /// CPU that refuses it leaves the worker unpinned.
  static Status create(int32_t numThreads, bool pin,
                       std::unique_ptr<ThreadPool> &pool);

  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;
  /// Stops and joins the workers.
  ~ThreadPool();

  /// The number of threads, the caller included.
  int32_t getNumThreads() const {
    return static_cast<int32_t>(workers.size()) + 1;
  }

  /// Runs `task(userContext, index, closure)` for every index in [min, min +
  /// count) on the workers and the calling thread, and returns 0 or the
  /// first non-zero result of a task, after which no further index starts.
  /// Loops started from inside a task run on the thread that starts them,
  /// as does a loop started while another thread is using the pool.
  int32_t parallelFor(kiln_task_fn task, void *userContext, int32_t min,
                      int32_t count, uint8_t *closure);

  /// While a Scope lives, kiln_parallel_for called on its thread dispatches
  /// to its pool.
  class Scope {
  public:
    explicit Scope(ThreadPool &pool);
    Scope(const Scope &) = delete;
    Scope &operator=(const Scope &) = delete;
    ~Scope();

  private:
    ThreadPool *previous;
  };

private:
  struct Range;
  struct Job;

  ThreadPool() = default;

  /// The body of worker `thread` (1 <= thread < getNumThreads()), pinned
  /// to `cpu` unless it is negative.
  void runWorker(int32_t thread, int cpu);

  std::vector<std::thread> workers;
  /// One range of indices per thread, for the job being dispatched.
  std::unique_ptr<Range[]> ranges;
  /// Held by the thread dispatching a loop, so that only one does.
  std::mutex dispatchMutex;
  /// Guards `current`, `stopping`, increments of `activeWorkers` and changes
  /// of `generation`.
  std::mutex mutex;
  /// Wakes the workers for a new job, or to stop.
  std::condition_variable wakeWorkers;
  /// Tells the dispatcher that the last worker left its job.
  std::condition_variable workersIdle;
  /// Counts jobs (and the stop request) so that workers notice new ones;
  /// atomic so that a spinning worker can read it without the mutex.
  std::atomic<uint64_t> generation{0};
  Job *current = nullptr;
  /// The workers inside `current`; atomic so that the dispatcher can wait
  /// for it to drop to zero by spinning.
  std::atomic<int32_t> activeWorkers{0};
  bool stopping = false;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_THREADPOOL_H
