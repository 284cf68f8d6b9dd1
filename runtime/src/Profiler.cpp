//===- Profiler.cpp - Per-kernel timing of forward passes -----------------===//
//
// Recording costs one clock read per bracket and a push onto a vector, so
// that profiling barely perturbs what it measures; aggregation and
// formatting happen only when a report is asked for.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Profiler.h"

#include "runtime/src/Status.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <unistd.h>

using namespace kiln::runtime;

Profiler::Profiler(const kiln_model_desc &desc, bool timing)
    : desc(desc), timing(timing), origin(std::chrono::steady_clock::now()) {}

int64_t Profiler::now() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now() - origin)
      .count();
}

std::string Profiler::getCallName(int32_t call) const {
  return call < 0 ? "forward" : desc.kernel_call_names[call];
}

void Profiler::beginForward() {
  lastCall = -1;
  isCallOpen = false;
  if (!timing)
    return;
  forwardThreadId = gettid();
  forwardStartNs = now();
}

void Profiler::endForward() {
  if (!timing)
    return;
  records.push_back(
      {-1, forwardStartNs, now() - forwardStartNs, forwardThreadId});
  hasUnreported = true;
}

void Profiler::beginCall(int32_t call) {
  if (call < 0 || call >= desc.num_kernel_calls)
    return;
  lastCall = call;
  isCallOpen = true;
  if (timing)
    callStartNs = now();
}

void Profiler::endCall(int32_t call) {
  if (!isCallOpen || call != lastCall)
    return;
  isCallOpen = false;
  if (timing)
    records.push_back(
        {call, callStartNs, now() - callStartNs, forwardThreadId});
}

std::string Profiler::getLastCallName() const {
  return lastCall < 0 ? "" : getCallName(lastCall);
}

/// printf into a std::string.
template <typename... Args>
static std::string format(const char *pattern, Args... args) {
  char buffer[64];
  int length = std::snprintf(buffer, sizeof(buffer), pattern, args...);
  return std::string(buffer, std::min<size_t>(length, sizeof(buffer) - 1));
}

std::string Profiler::formatTable() const {
  struct Row {
    std::string name;
    int64_t calls = 0;
    int64_t totalNs = 0;
  };
  std::map<std::string, Row> byName;
  int64_t forwardNs = 0, forwards = 0;
  for (const Record &record : records) {
    if (record.call < 0) {
      forwardNs += record.durationNs;
      ++forwards;
      continue;
    }
    Row &row = byName[getCallName(record.call)];
    ++row.calls;
    row.totalNs += record.durationNs;
  }
  std::vector<Row> rows;
  for (auto &[name, row] : byName) {
    row.name = name;
    rows.push_back(row);
  }
  std::sort(rows.begin(), rows.end(), [](const Row &a, const Row &b) {
    return a.totalNs != b.totalNs ? a.totalNs > b.totalNs : a.name < b.name;
  });

  std::string table = "kiln profile of model " + quote(desc.name) + ": " +
                      std::to_string(forwards) + " forward passes, " +
                      format("%.3f ms", forwardNs * 1e-6) + " in all\n";
  table += "  total ms     mean us     calls   % fwd  kernel call\n";
  for (const Row &row : rows) {
    double share = forwardNs > 0 ? 100.0 * row.totalNs / forwardNs : 0.0;
    table += format("%10.3f  %10.2f  %8lld  %6.1f  ", row.totalNs * 1e-6,
                    row.totalNs * 1e-3 / row.calls,
                    static_cast<long long>(row.calls), share) +
             row.name + "\n";
  }
  return table;
}

/// `text` as a JSON string literal.
static std::string toJsonString(const std::string &text) {
  std::string json = "\"";
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\')
      json += std::string("\\") + c;
    else if (byte < 0x20)
      json += format("\\u%04x", byte);
    else
      json += c;
  }
  return json + "\"";
}

std::string Profiler::formatTrace() const {
  std::string pid = std::to_string(getpid());
  std::string trace = "{\"traceEvents\": [";
  for (size_t i = 0; i < records.size(); ++i) {
    const Record &record = records[i];
    trace += i == 0 ? "\n" : ",\n";
    trace +=
        "{\"name\": " + toJsonString(getCallName(record.call)) +
        ", \"cat\": \"" + (record.call < 0 ? "forward" : "kernel") +
        "\", \"ph\": \"X\", \"ts\": " + format("%.3f", record.startNs * 1e-3) +
        ", \"dur\": " + format("%.3f", record.durationNs * 1e-3) +
        ", \"pid\": " + pid + ", \"tid\": " + std::to_string(record.threadId) +
        "}";
  }
  return trace + "\n], \"displayTimeUnit\": \"ms\"}\n";
}

void kiln_profile_kernel_begin(void *profiler, int32_t call) {
  if (profiler)
    static_cast<Profiler *>(profiler)->beginCall(call);
}

void kiln_profile_kernel_end(void *profiler, int32_t call) {
  if (profiler)
    static_cast<Profiler *>(profiler)->endCall(call);
}
