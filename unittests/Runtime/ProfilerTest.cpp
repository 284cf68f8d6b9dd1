//===- ProfilerTest.cpp - Tests of per-kernel timing ----------------------===//
//
// The profiler's table must be sorted by total time and its trace must be
// JSON that trace viewers accept, even for call names that need escaping;
// and it must name the call after which forward failed.
//
//===----------------------------------------------------------------------===//

#include "runtime/src/Profiler.h"

#include "runtime/src/Json.h"

#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <thread>

using namespace kiln::runtime;

namespace {

const char *const callNames[] = {"short \"quoted\" (k0)", "long\\slash (k1)",
                                 "tab\there (k2)"};

/// A descriptor with only the kernel call names a Profiler reads.
kiln_model_desc makeDescriptor() {
  kiln_model_desc desc = {};
  desc.name = "profiled";
  desc.num_kernel_calls = 3;
  desc.kernel_call_names = callNames;
  return desc;
}

/// Brackets call `call` of `profiler` around a sleep of `milliseconds`.
void timeCall(Profiler &profiler, int32_t call, int milliseconds) {
  kiln_profile_kernel_begin(&profiler, call);
  std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
  kiln_profile_kernel_end(&profiler, call);
}

/// Records two forward passes of calls 0 (1 ms), 1 (8 ms) and 2 (0 ms).
void recordTwoPasses(Profiler &profiler) {
  for (int pass = 0; pass < 2; ++pass) {
    profiler.beginForward();
    timeCall(profiler, 0, 1);
    timeCall(profiler, 1, 8);
    timeCall(profiler, 2, 0);
    profiler.endForward();
  }
}

TEST(ProfilerTest, TableIsSortedByTotalTime) {
  kiln_model_desc desc = makeDescriptor();
  Profiler profiler(desc, /*timing=*/true);
  recordTwoPasses(profiler);
  std::istringstream table(profiler.formatTable());
  std::string line;
  std::getline(table, line);
  EXPECT_EQ(
      line.rfind("kiln profile of model 'profiled': 2 forward passes, ", 0), 0u)
      << line;
  std::getline(table, line);
  EXPECT_EQ(line, "  total ms     mean us     calls   % fwd  kernel call");

  std::vector<std::string> names;
  double previousTotal = 1e300, shares = 0;
  while (std::getline(table, line)) {
    std::istringstream fields(line);
    double totalMs, meanUs, share;
    long long calls;
    ASSERT_TRUE(fields >> totalMs >> meanUs >> calls >> share) << line;
    EXPECT_EQ(calls, 2);
    // Both columns are rounded: total ms to 1 us, mean us to 0.01 us.
    EXPECT_NEAR(meanUs, totalMs * 1000 / 2, 0.3);
    EXPECT_LE(totalMs, previousTotal);
    previousTotal = totalMs;
    shares += share;
    std::string name;
    std::getline(fields >> std::ws, name);
    names.push_back(name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{callNames[1], callNames[0],
                                             callNames[2]}));
  EXPECT_GT(shares, 50.0);
  EXPECT_LE(shares, 100.1);
}

TEST(ProfilerTest, TraceIsValidChromeTraceJson) {
  kiln_model_desc desc = makeDescriptor();
  Profiler profiler(desc, /*timing=*/true);
  recordTwoPasses(profiler);
  EXPECT_TRUE(profiler.hasUnreportedRecords());

  JsonError error;
  std::optional<JsonValue> trace = parseJson(profiler.formatTrace(), error);
  ASSERT_TRUE(trace) << error.message << " at " << error.offset;
  const JsonValue *events = trace->find("traceEvents");
  ASSERT_TRUE(events && events->kind == JsonValue::Kind::Array);
  ASSERT_EQ(events->elements.size(), 8u);

  std::vector<std::string> names;
  for (const JsonValue &event : events->elements) {
    ASSERT_EQ(event.find("ph")->text, "X");
    for (const char *field : {"ts", "dur", "pid", "tid"})
      ASSERT_EQ(event.find(field)->kind, JsonValue::Kind::Number) << field;
    names.push_back(event.find("name")->text);
  }
  // Calls are recorded as they end; each pass after its calls.
  EXPECT_EQ(names, (std::vector<std::string>{
                       callNames[0], callNames[1], callNames[2], "forward",
                       callNames[0], callNames[1], callNames[2], "forward"}));
  // The 8 ms call lasts at least 8000 us.
  EXPECT_GE(std::stod(events->elements[1].find("dur")->text), 8000.0);
}

TEST(ProfilerTest, NamesTheLastCallBegun) {
  kiln_model_desc desc = makeDescriptor();
  Profiler profiler(desc, /*timing=*/false);
  profiler.beginForward();
  EXPECT_EQ(profiler.getLastCallName(), "");
  kiln_profile_kernel_begin(&profiler, 0);
  kiln_profile_kernel_end(&profiler, 0);
  EXPECT_EQ(profiler.getLastCallName(), callNames[0]);
  // Generated code ends a failed call before returning its error.
  kiln_profile_kernel_begin(&profiler, 2);
  kiln_profile_kernel_end(&profiler, 2);
  profiler.endForward();
  EXPECT_EQ(profiler.getLastCallName(), callNames[2]);

  // A new pass forgets it; unknown calls and null profilers are ignored.
  profiler.beginForward();
  kiln_profile_kernel_begin(&profiler, 3);
  EXPECT_EQ(profiler.getLastCallName(), "");
  kiln_profile_kernel_begin(nullptr, 0);
  kiln_profile_kernel_end(nullptr, 0);
}

TEST(ProfilerTest, IgnoresAnEndWithoutItsBegin) {
  kiln_model_desc desc = makeDescriptor();
  Profiler profiler(desc, /*timing=*/true);
  profiler.beginForward();
  kiln_profile_kernel_end(&profiler, 1);
  kiln_profile_kernel_begin(&profiler, 0);
  kiln_profile_kernel_end(&profiler, 1);
  kiln_profile_kernel_end(&profiler, 0);
  kiln_profile_kernel_end(&profiler, 0);
  profiler.endForward();
  JsonError error;
  std::optional<JsonValue> trace = parseJson(profiler.formatTrace(), error);
  ASSERT_TRUE(trace);
  std::vector<std::string> names;
  for (const JsonValue &event : trace->find("traceEvents")->elements)
    names.push_back(event.find("name")->text);
  EXPECT_EQ(names, (std::vector<std::string>{callNames[0], "forward"}));
}

TEST(ProfilerTest, RecordsNothingWithoutTiming) {
  kiln_model_desc desc = makeDescriptor();
  Profiler profiler(desc, /*timing=*/false);
  recordTwoPasses(profiler);
  EXPECT_FALSE(profiler.hasUnreportedRecords());
  JsonError error;
  std::optional<JsonValue> trace = parseJson(profiler.formatTrace(), error);
  ASSERT_TRUE(trace);
  EXPECT_TRUE(trace->find("traceEvents")->elements.empty());
}

} // namespace
