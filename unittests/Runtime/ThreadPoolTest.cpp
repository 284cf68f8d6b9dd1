//===- ThreadPoolTest.cpp - Tests of the runtime's thread pool ------------===//
//
// Parallel loops must run every index exactly once and report failures
// whatever the thread count, however small and many the tasks, when loops
// nest, and when several threads dispatch at once; each thread must start
// at its own contiguous share of the indices; workers must be pinned when
// asked.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/ThreadPool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <pthread.h>
#include <set>
#include <thread>

using namespace kiln::runtime;

namespace {

/// Opens a pool of `numThreads` unpinned threads, failing the test on an
/// error.
std::unique_ptr<ThreadPool> startPool(int32_t numThreads, bool pin = false) {
  std::unique_ptr<ThreadPool> pool;
  Status error = ThreadPool::create(numThreads, pin, pool);
  EXPECT_FALSE(error) << (error ? error->message : "");
  return pool;
}

/// A loop over [min, min + runs.size()) that counts how often each index
/// ran.
struct CountingLoop {
  int32_t min;
  std::vector<std::atomic<int>> runs;

  CountingLoop(int32_t min, size_t count) : min(min), runs(count) {}

  static int32_t task(void *, int32_t index, uint8_t *closure) {
    auto &loop = *reinterpret_cast<CountingLoop *>(closure);
    loop.runs[index - loop.min].fetch_add(1, std::memory_order_relaxed);
    return 0;
  }

  /// Runs the loop through kiln_parallel_for.
  int32_t run() {
    return kiln_parallel_for(nullptr, task, min,
                             static_cast<int32_t>(runs.size()),
                             reinterpret_cast<uint8_t *>(this));
  }

  /// Whether every index ran exactly once.
  bool ranEachOnce() const {
    for (const std::atomic<int> &count : runs)
      if (count.load() != 1)
        return false;
    return true;
  }
};

/// Thread counts from 1 to 4.
class ThreadCountTest : public ::testing::TestWithParam<int32_t> {};

TEST_P(ThreadCountTest, RunsEveryIndexExactlyOnce) {
  std::unique_ptr<ThreadPool> pool = startPool(GetParam());
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->getNumThreads(), GetParam());
  ThreadPool::Scope scope(*pool);
  CountingLoop loop(-100, 10000);
  EXPECT_EQ(loop.run(), 0);
  EXPECT_TRUE(loop.ranEachOnce());
}

TEST_P(ThreadCountTest, RunsManyTinyLoopsInARow) {
  std::unique_ptr<ThreadPool> pool = startPool(GetParam());
  ASSERT_TRUE(pool);
  ThreadPool::Scope scope(*pool);
  for (int32_t i = 0; i < 3000; ++i) {
    CountingLoop loop(i, i % 17);
    ASSERT_EQ(loop.run(), 0);
    ASSERT_TRUE(loop.ranEachOnce()) << "loop " << i;
  }
}

/// Fails index `failAt` with `code`, and no other.
struct FailingLoop {
  int32_t failAt;
  int32_t code;
  std::atomic<int> runs{0};

  static int32_t task(void *, int32_t index, uint8_t *closure) {
    auto &loop = *reinterpret_cast<FailingLoop *>(closure);
    loop.runs.fetch_add(1, std::memory_order_relaxed);
    return index == loop.failAt ? loop.code : 0;
  }
};

/// Fails every index divisible by 7 with code index / 7.
int32_t failSevenths(void *, int32_t index, uint8_t *) {
  return index % 7 == 0 ? index / 7 : 0;
}

TEST_P(ThreadCountTest, ReturnsTheResultOfAFailingTask) {
  std::unique_ptr<ThreadPool> pool = startPool(GetParam());
  ASSERT_TRUE(pool);
  ThreadPool::Scope scope(*pool);
  for (int32_t i = 0; i < 300; ++i) {
    FailingLoop loop{i % 50, 40 + i};
    ASSERT_EQ(kiln_parallel_for(nullptr, FailingLoop::task, 0, 50,
                                reinterpret_cast<uint8_t *>(&loop)),
              40 + i);
    EXPECT_GE(loop.runs.load(), 1);
    // Among several failures, the result is one of theirs.
    int32_t result = kiln_parallel_for(nullptr, failSevenths, 1, 69, nullptr);
    ASSERT_TRUE(result >= 1 && result <= 9) << result;
  }
  // The pool works normally after failures.
  CountingLoop loop(0, 1000);
  EXPECT_EQ(loop.run(), 0);
  EXPECT_TRUE(loop.ranEachOnce());
}

/// An outer loop whose tasks each start an inner loop and check that it ran
/// on their own thread.
struct NestedLoop {
  std::atomic<int> innerRuns{0};
  std::atomic<int> innerRunsElsewhere{0};

  struct Inner {
    NestedLoop *outer;
    std::thread::id thread;
  };

  static int32_t innerTask(void *, int32_t, uint8_t *closure) {
    auto &inner = *reinterpret_cast<Inner *>(closure);
    inner.outer->innerRuns.fetch_add(1);
    if (std::this_thread::get_id() != inner.thread)
      inner.outer->innerRunsElsewhere.fetch_add(1);
    return 0;
  }

  static int32_t outerTask(void *, int32_t, uint8_t *closure) {
    Inner inner{reinterpret_cast<NestedLoop *>(closure),
                std::this_thread::get_id()};
    return kiln_parallel_for(nullptr, innerTask, 0, 16,
                             reinterpret_cast<uint8_t *>(&inner));
  }
};

TEST_P(ThreadCountTest, NestedLoopsRunOnTheirThread) {
  std::unique_ptr<ThreadPool> pool = startPool(GetParam());
  ASSERT_TRUE(pool);
  ThreadPool::Scope scope(*pool);
  NestedLoop loop;
  EXPECT_EQ(kiln_parallel_for(nullptr, NestedLoop::outerTask, 0, 32,
                              reinterpret_cast<uint8_t *>(&loop)),
            0);
  EXPECT_EQ(loop.innerRuns.load(), 32 * 16);
  EXPECT_EQ(loop.innerRunsElsewhere.load(), 0);
}

/// Checks that the user context reaches the task.
int32_t checkUserContext(void *userContext, int32_t, uint8_t *closure) {
  return userContext == closure ? 0 : 1;
}

TEST_P(ThreadCountTest, PassesTheUserContext) {
  std::unique_ptr<ThreadPool> pool = startPool(GetParam());
  ASSERT_TRUE(pool);
  ThreadPool::Scope scope(*pool);
  int marker = 0;
  EXPECT_EQ(kiln_parallel_for(&marker, checkUserContext, 0, 100,
                              reinterpret_cast<uint8_t *>(&marker)),
            0);
}

INSTANTIATE_TEST_SUITE_P(ThreadPoolTest, ThreadCountTest,
                         ::testing::Values(1, 2, 3, 4));

/// A loop whose tasks record their threads, and wait (up to a deadline)
/// until `wanted` threads have joined, so that the workers' part shows.
struct ThreadRecordingLoop {
  explicit ThreadRecordingLoop(size_t wanted) : wanted(wanted) {}

  size_t wanted;
  std::chrono::steady_clock::time_point deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  /// The number of CPUs each worker thread may run on.
  std::vector<int> workerCpuCounts;
  /// The first index that each thread ran.
  std::set<int32_t> firstIndices;
  std::thread::id caller = std::this_thread::get_id();

  static int32_t task(void *, int32_t index, uint8_t *closure) {
    auto &loop = *reinterpret_cast<ThreadRecordingLoop *>(closure);
    {
      std::lock_guard<std::mutex> lock(loop.mutex);
      bool isNew = loop.threads.insert(std::this_thread::get_id()).second;
      if (isNew)
        loop.firstIndices.insert(index);
      if (isNew && std::this_thread::get_id() != loop.caller) {
        cpu_set_t set;
        CPU_ZERO(&set);
        pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
        loop.workerCpuCounts.push_back(CPU_COUNT(&set));
      }
    }
    while (std::chrono::steady_clock::now() < loop.deadline) {
      {
        std::lock_guard<std::mutex> lock(loop.mutex);
        if (loop.threads.size() >= loop.wanted)
          break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    return 0;
  }

  void run() {
    EXPECT_EQ(kiln_parallel_for(nullptr, task, 0, 256,
                                reinterpret_cast<uint8_t *>(this)),
              0);
  }
};

TEST(ThreadPoolTest, WorkersShareTheLoop) {
  std::unique_ptr<ThreadPool> pool = startPool(4);
  ASSERT_TRUE(pool);
  ThreadPool::Scope scope(*pool);
  ThreadRecordingLoop loop(4);
  loop.run();
  EXPECT_EQ(loop.threads.size(), 4u);
}

TEST(ThreadPoolTest, EachThreadStartsAtItsShareOfTheIndices) {
  std::unique_ptr<ThreadPool> pool = startPool(4);
  ASSERT_TRUE(pool);
  ThreadPool::Scope scope(*pool);
  // Each thread's first task waits for the others, so that no thread
  // reaches another's share before its owner starts.
  ThreadRecordingLoop loop(4);
  loop.run();
  EXPECT_EQ(loop.firstIndices, (std::set<int32_t>{0, 64, 128, 192}));
}

TEST(ThreadPoolTest, PinsEachWorkerToOneCpu) {
  std::unique_ptr<ThreadPool> pool = startPool(3, /*pin=*/true);
  ASSERT_TRUE(pool);
  ThreadPool::Scope scope(*pool);
  ThreadRecordingLoop loop(3);
  loop.run();
  EXPECT_EQ(loop.workerCpuCounts, (std::vector<int>{1, 1}));
}

TEST(ThreadPoolTest, LeavesWorkersUnpinnedWhenAsked) {
  std::unique_ptr<ThreadPool> pool = startPool(3, /*pin=*/false);
  ASSERT_TRUE(pool);
  ThreadPool::Scope scope(*pool);
  ThreadRecordingLoop loop(3);
  loop.run();
  int available = static_cast<int>(getAvailableCpus().size());
  EXPECT_EQ(loop.workerCpuCounts, (std::vector<int>{available, available}));
}

TEST(ThreadPoolTest, LoopsRunInlineOutsideAModel) {
  std::unique_ptr<ThreadPool> pool = startPool(4);
  ASSERT_TRUE(pool);
  // No Scope: kiln_parallel_for does not know the pool.
  ThreadRecordingLoop loop(1);
  loop.run();
  EXPECT_EQ(loop.threads,
            (std::set<std::thread::id>{std::this_thread::get_id()}));
}

TEST(ThreadPoolTest, RejectsBadThreadCounts) {
  std::unique_ptr<ThreadPool> pool;
  for (int32_t count : {-1, 1025}) {
    Status error = ThreadPool::create(count, false, pool);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->message,
              "the number of threads must lie in [0, 1024], got " +
                  std::to_string(count));
    EXPECT_FALSE(pool);
  }
}

TEST(ThreadPoolTest, ZeroThreadsMeansOnePerCpu) {
  std::unique_ptr<ThreadPool> pool = startPool(0);
  ASSERT_TRUE(pool);
  EXPECT_EQ(pool->getNumThreads(),
            static_cast<int32_t>(getAvailableCpus().size()));
}

/// Runs 500 counting loops through the pool of the calling thread.
void runCountingLoops(bool &allRanOnce) {
  allRanOnce = true;
  for (int32_t i = 0; i < 500; ++i) {
    CountingLoop loop(0, 1 + i % 40);
    allRanOnce &= loop.run() == 0 && loop.ranEachOnce();
  }
}

TEST(ThreadPoolTest, PoolsOfDifferentThreadsRunAtOnce) {
  std::unique_ptr<ThreadPool> first = startPool(2), second = startPool(3);
  ASSERT_TRUE(first && second);
  bool firstOk = false, secondOk = false;
  std::thread other([&] {
    ThreadPool::Scope scope(*second);
    runCountingLoops(secondOk);
  });
  {
    ThreadPool::Scope scope(*first);
    runCountingLoops(firstOk);
  }
  other.join();
  EXPECT_TRUE(firstOk);
  EXPECT_TRUE(secondOk);
}

TEST(ThreadPoolTest, ThreadsSharingAPoolStayCorrect) {
  std::unique_ptr<ThreadPool> pool = startPool(3);
  ASSERT_TRUE(pool);
  bool firstOk = false, secondOk = false;
  std::thread other([&] {
    ThreadPool::Scope scope(*pool);
    runCountingLoops(secondOk);
  });
  {
    ThreadPool::Scope scope(*pool);
    runCountingLoops(firstOk);
  }
  other.join();
  EXPECT_TRUE(firstOk);
  EXPECT_TRUE(secondOk);
}

} // namespace
