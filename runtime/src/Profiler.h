//===- Profiler.h - Per-kernel timing of forward passes ---------*- C++ -*-===//
//
// The runtime passes a Profiler to every forward call as the opaque
// `profiler` of kiln_forward_args; generated code brackets each kernel call
// with kiln_profile_kernel_begin/end. The Profiler always remembers the last
// call begun, so that a failure can be named, and when timing is on it
// records every call's interval on the steady clock. From the records it
// formats a table of calls sorted by total time and a Chrome trace
// (`chrome://tracing`, Perfetto).
//
//===----------------------------------------------------------------------===//

#ifndef KILN_RUNTIME_SRC_PROFILER_H
#define KILN_RUNTIME_SRC_PROFILER_H

#include "kiln/model_abi.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace kiln::runtime {

/// The kernel calls of one model's forward passes.
class Profiler {
public:
  /// Names calls by `desc`'s kernel_call_names; with `timing`, records
  /// their durations.
  Profiler(const kiln_model_desc &desc, bool timing);

  bool isTiming() const { return timing; }

  /// Brackets one forward pass.
  void beginForward();
  void endForward();

  /// Brackets kernel call `call`; ignores a call index out of range.
  void beginCall(int32_t call);
  void endCall(int32_t call);

  /// The name of the last call begun in the last forward pass, or "" when
  /// there is none: after a failed pass, the call that failed.
  std::string getLastCallName() const;

  /// Whether forward passes were timed since the last markReported.
  bool hasUnreportedRecords() const { return hasUnreported; }
  void markReported() { hasUnreported = false; }

  /// A table of the timed kernel calls, one row per call name with its
  /// number of calls, total milliseconds, mean microseconds and share of
  /// the forward passes' time, sorted by total time, longest first.
  std::string formatTable() const;

  /// Every timed forward pass and kernel call as a Chrome trace JSON
  /// document: {"traceEvents": [{"name", "ph": "X", "ts", "dur", "pid",
  /// "tid"}, ...]}, times in microseconds.
  std::string formatTrace() const;

private:
  /// One timed interval; `call` is -1 for a whole forward pass.
  struct Record {
    int32_t call;
    int64_t startNs;
    int64_t durationNs;
    int64_t threadId;
  };

  /// Nanoseconds since the profiler was created.
  int64_t now() const;

  /// The name of `call`, or "forward" for -1.
  std::string getCallName(int32_t call) const;

  const kiln_model_desc &desc;
  bool timing;
  std::chrono::steady_clock::time_point origin;
  std::vector<Record> records;
  /// The last call begun in this pass, or -1, and whether it is running.
  int32_t lastCall = -1;
  bool isCallOpen = false;
  int64_t callStartNs = 0;
  int64_t forwardStartNs = 0;
  int64_t forwardThreadId = 0;
  bool hasUnreported = false;
};

} // namespace kiln::runtime

#endif // KILN_RUNTIME_SRC_PROFILER_H
